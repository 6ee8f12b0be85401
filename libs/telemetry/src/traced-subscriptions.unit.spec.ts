import { InMemoryEventStore, InMemoryTelemetry } from '@approvals/testing';
import { traceSubscriptions } from './traced-subscriptions';

const TRACE = '4bf92f3577b34da6a3ce929d0e0e4736';
const appendSpan = (id: string) => `00-${TRACE}-${id}-01`;
const event = (type: string, traceparent: string) => ({ eventId: `${type}-${traceparent}`, type, data: {}, metadata: { traceparent } });

describe('traceSubscriptions', () => {
  let telemetry: InMemoryTelemetry;
  beforeAll(() => (telemetry = InMemoryTelemetry.register()));
  afterAll(() => telemetry.shutdown());

  it("handles the events of one append in one span of that append's trace", async () => {
    const store = new InMemoryEventStore();
    await store.appendToStream('action-a1', [event('ActionRequested', appendSpan('1111111111111111'))]);
    await store.appendToStream('action-a1', [event('PolicyEvaluated', appendSpan('2222222222222222')), event('ActionApproved', appendSpan('2222222222222222'))]);
    const handled: string[] = [];
    const subscription = traceSubscriptions(store, 'audit-projector', 'audit.project').subscribeToAll(async (e) => {
      handled.push(e.type);
    });
    await subscription.caughtUp;
    await new Promise((resolve) => setImmediate(resolve));
    await subscription.close();

    expect(handled).toEqual(['ActionRequested', 'PolicyEvaluated', 'ActionApproved']);
    const spans = telemetry.spans.filter((span) => span.name === 'audit.project');
    expect(spans.map((span) => [span.parentSpanContext?.spanId, span.attributes['approvals.event.type']])).toEqual([
      ['1111111111111111', ['ActionRequested']],
      ['2222222222222222', ['PolicyEvaluated', 'ActionApproved']],
    ]);
    expect(spans.every((span) => span.spanContext().traceId === TRACE && span.attributes['approvals.service'] === 'audit-projector')).toBe(true);
  });
});

import { SpanKind, context, trace } from '@opentelemetry/api';
import type { NewEvent } from '@approvals/application';
import { InMemoryEventStore, InMemoryTelemetry } from '@approvals/testing';
import { InstrumentedEventStore } from './instrumented-event-store';

const AGENT_TRACE = '4bf92f3577b34da6a3ce929d0e0e4736';
const AGENT_TRACEPARENT = `00-${AGENT_TRACE}-00f067aa0ba902b7-01`;
const stream = 'action-a1';

const event = (type: string, data: Record<string, unknown>, metadata: NewEvent['metadata'] = {}): NewEvent => ({
  eventId: `${type}-${Math.random()}`,
  type,
  data: { actionId: 'a1', ...data },
  metadata: { actionId: 'a1', ...metadata },
});

describe('InstrumentedEventStore', () => {
  let telemetry: InMemoryTelemetry;
  let inner: InMemoryEventStore;
  let store: InstrumentedEventStore;

  beforeAll(() => {
    telemetry = InMemoryTelemetry.register();
  });
  afterAll(() => telemetry.shutdown());
  beforeEach(() => {
    telemetry.reset();
    inner = new InMemoryEventStore();
    store = new InstrumentedEventStore(inner, 'decision', 'embedded');
  });

  it('records the events under the append span, a child of the work in progress', async () => {
    const work = trace.getTracer('test').startSpan('handle command', { kind: SpanKind.CONSUMER });
    await context.with(trace.setSpan(context.active(), work), () =>
      store.appendToStream(stream, [event('ActionRequested', { requestedAt: '2026-01-01T00:00:00.000Z' }, { traceparent: AGENT_TRACEPARENT })]),
    );
    work.end();

    const append = telemetry.spans.find((span) => span.name === 'ledger.append')!;
    expect(append.parentSpanContext?.spanId).toBe(work.spanContext().spanId);
    expect(append.attributes).toMatchObject({ 'approvals.service': 'decision', 'approvals.ledger.store': 'embedded', 'approvals.event.type': ['ActionRequested'] });
    const [recorded] = await inner.readStream(stream);
    expect(recorded!.metadata.traceparent).toBe(`00-${work.spanContext().traceId}-${append.spanContext().spanId}-01`);
  });

  it('continues the trace the events name when no work is in progress (work started by a timer)', async () => {
    await store.appendToStream(stream, [event('ActionExpired', { expiredAt: '2026-01-01T00:05:00.000Z' }, { traceparent: AGENT_TRACEPARENT })]);
    const append = telemetry.spans.find((span) => span.name === 'ledger.append')!;
    expect(append.spanContext().traceId).toBe(AGENT_TRACE);
    expect(append.parentSpanContext?.spanId).toBe('00f067aa0ba902b7');
  });

  it("links later work on an action, in a trace of its own, to the trace of the action's request", async () => {
    await store.appendToStream(stream, [event('ActionRequested', { requestedAt: '2026-01-01T00:00:00.000Z' }, { traceparent: AGENT_TRACEPARENT })]);
    const request = telemetry.spans.find((span) => span.name === 'ledger.append')!;
    telemetry.reset();
    await trace.getTracer('test').startActiveSpan('CastVote', async (vote) => {
      await store.appendToStream(stream, [event('VoteCast', {})]);
      vote.end();
    });
    const voted = telemetry.spans.find((span) => span.name === 'ledger.append')!;
    expect(voted.spanContext().traceId).not.toBe(AGENT_TRACE);
    expect(voted.links.map((link) => link.context.spanId)).toEqual([request.spanContext().spanId]);
    expect(voted.links[0]!.context.traceId).toBe(AGENT_TRACE);
  });

  it('counts final outcomes by who decided and measures the time from the request', async () => {
    await store.appendToStream(stream, [event('ActionRequested', { requestedAt: '2026-01-01T00:00:00.000Z' })]);
    await store.appendToStream(stream, [event('PolicyEvaluated', {})]);
    await store.appendToStream(stream, [event('ActionApproved', { by: 'APPROVERS', approvedAt: '2026-01-01T00:02:30.000Z' })]);
    await store.appendToStream('action-a2', [event('ActionRequested', { actionId: 'a2', requestedAt: '2026-01-01T00:00:00.000Z' })]);
    await store.appendToStream('action-a2', [event('ActionApproved', { actionId: 'a2', by: 'POLICY', approvedAt: '2026-01-01T00:00:00.040Z' })]);

    const completed = await telemetry.points('approvals.actions.completed');
    expect(completed.map((point) => [point.attributes, point.value])).toEqual(
      expect.arrayContaining([
        [{ 'approvals.outcome': 'approved', 'approvals.decided_by': 'human' }, 1],
        [{ 'approvals.outcome': 'approved', 'approvals.decided_by': 'policy' }, 1],
      ]),
    );
    const latency = await telemetry.points('approvals.action.outcome.duration');
    const human = latency.find((point) => point.attributes['approvals.decided_by'] === 'human')!.value as { sum: number; count: number };
    const policy = latency.find((point) => point.attributes['approvals.decided_by'] === 'policy')!.value as { sum: number; count: number };
    expect([human.count, human.sum]).toEqual([1, 150]);
    expect([policy.count, policy.sum]).toEqual([1, 0.04]);
    expect((await telemetry.points('approvals.ledger.append.duration')).length).toBeGreaterThan(0);
  });

  it('reads the request instant from the ledger for actions requested before this process started', async () => {
    await inner.appendToStream(stream, [event('ActionRequested', { requestedAt: '2026-01-01T00:00:00.000Z' })]);
    await store.appendToStream(stream, [event('ActionExpired', { expiredAt: '2026-01-01T01:00:00.000Z' })]);
    await new Promise((resolve) => setImmediate(resolve));
    const latency = await telemetry.points('approvals.action.outcome.duration');
    const expired = latency.find((point) => point.attributes['approvals.outcome'] === 'expired')!.value as { sum: number };
    expect(expired.sum).toBe(3600);
  });

  it('does not count an idempotent retry twice', async () => {
    // Counters are cumulative over the file: compare before and after.
    const policyApprovals = async () =>
      (await telemetry.points('approvals.actions.completed'))
        .filter((point) => point.attributes['approvals.decided_by'] === 'policy')
        .reduce((sum, point) => sum + (point.value as number), 0);
    const before = await policyApprovals();
    const approved = event('ActionApproved', { by: 'POLICY', approvedAt: '2026-01-01T00:00:00.000Z' });
    await store.appendToStream('action-a3', [approved]);
    await store.appendToStream('action-a3', [approved]);
    expect((await policyApprovals()) - before).toBe(1);
  });
});

import { trace } from '@opentelemetry/api';
import { InMemoryTelemetry } from '@approvals/testing';
import { Topics } from '@approvals/contracts';
import { InProcessBroker } from './in-process-broker';

const TRACE = '4bf92f3577b34da6a3ce929d0e0e4736';
const CARRIED = `00-${TRACE}-00f067aa0ba902b7-01`;

// The embedded mode's bus carries the trace as Kafka headers do: the handlers run in the message's
// own trace (a ledger event's), else the publisher's. An in-memory hand-over is no span of its own.
describe('InProcessBroker with tracing', () => {
  let telemetry: InMemoryTelemetry;
  beforeAll(() => (telemetry = InMemoryTelemetry.register()));
  afterAll(() => telemetry.shutdown());
  beforeEach(() => telemetry.reset());

  const brokerSeeing = (seen: { traceId: string; spanId: string }[]) => {
    const broker = new InProcessBroker();
    broker.attach({
      hasHandler: () => true,
      dispatch: async () => {
        seen.push(trace.getActiveSpan()!.spanContext());
      },
    });
    return broker;
  };

  it('delivers a message in the trace the message carries, whoever publishes it', async () => {
    const seen: { traceId: string; spanId: string }[] = [];
    const broker = brokerSeeing(seen);
    // Published from unrelated work (the outbox relay): the message's own trace wins.
    await trace.getTracer('test').startActiveSpan('relay tick', async (span) => {
      await broker.publish(Topics.ledgerEvents, 'a1', { type: 'ActionRequested', data: {}, metadata: { messageId: 'm1', traceparent: CARRIED } });
      span.end();
    });

    expect(seen).toEqual([expect.objectContaining({ traceId: TRACE, spanId: '00f067aa0ba902b7' })]);
    expect(telemetry.spans.map((span) => span.name)).toEqual(['relay tick']);
  });

  it('delivers a message without a trace of its own in the trace of the work that published it', async () => {
    const seen: { traceId: string; spanId: string }[] = [];
    const broker = brokerSeeing(seen);
    const publisher = await trace.getTracer('test').startActiveSpan('grpc call', async (span) => {
      await broker.publish(Topics.ledgerEvents, 'a2', { type: 'T', data: {}, metadata: { messageId: 'm2' } });
      span.end();
      return span.spanContext();
    });
    expect(seen).toEqual([expect.objectContaining({ traceId: publisher.traceId, spanId: publisher.spanId })]);
  });
});

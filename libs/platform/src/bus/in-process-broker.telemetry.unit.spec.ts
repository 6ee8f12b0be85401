import { SpanKind, trace } from '@opentelemetry/api';
import { InMemoryTelemetry } from '@approvals/testing';
import { Topics } from '@approvals/contracts';
import { InProcessBroker } from './in-process-broker';

const TRACE = '4bf92f3577b34da6a3ce929d0e0e4736';
const CARRIED = `00-${TRACE}-00f067aa0ba902b7-01`;

// The embedded mode's bus carries the trace the way Kafka headers do: a PRODUCER span in the
// message's own trace, and a CONSUMER span continuing it around the handlers.
describe('InProcessBroker with tracing', () => {
  let telemetry: InMemoryTelemetry;
  beforeAll(() => (telemetry = InMemoryTelemetry.register()));
  afterAll(() => telemetry.shutdown());

  it('delivers a message inside a consumer span of the trace the message carries', async () => {
    const broker = new InProcessBroker();
    let seen: { traceId: string; spanId: string } | undefined;
    broker.attach({
      hasHandler: () => true,
      dispatch: async () => {
        seen = trace.getActiveSpan()?.spanContext();
      },
    });
    // Published from unrelated work (the outbox relay): the message's own trace wins.
    await trace.getTracer('test').startActiveSpan('relay tick', async (span) => {
      await broker.publish(Topics.ledgerEvents, 'a1', { type: 'ActionRequested', data: {}, metadata: { messageId: 'm1', traceparent: CARRIED } });
      span.end();
    });

    const producer = telemetry.spans.find((span) => span.name === `send ${Topics.ledgerEvents}`)!;
    const consumer = telemetry.spans.find((span) => span.name === `process ${Topics.ledgerEvents}`)!;
    expect(producer.kind).toBe(SpanKind.PRODUCER);
    expect(producer.spanContext().traceId).toBe(TRACE);
    expect(producer.parentSpanContext?.spanId).toBe('00f067aa0ba902b7');
    expect(consumer.kind).toBe(SpanKind.CONSUMER);
    expect(consumer.parentSpanContext?.spanId).toBe(producer.spanContext().spanId);
    expect(consumer.attributes).toMatchObject({ 'messaging.system': 'approvals_in_process', 'messaging.operation.type': 'process', 'messaging.destination.name': Topics.ledgerEvents });
    expect(seen).toEqual(expect.objectContaining({ traceId: TRACE, spanId: consumer.spanContext().spanId }));
  });

  it('publishes a message without a trace of its own in the trace of the work that publishes it', async () => {
    telemetry.reset();
    const broker = new InProcessBroker();
    broker.attach({ hasHandler: () => true, dispatch: async () => undefined });
    await trace.getTracer('test').startActiveSpan('grpc call', async (span) => {
      await broker.publish(Topics.ledgerEvents, 'a2', { type: 'T', data: {}, metadata: { messageId: 'm2' } });
      span.end();
      const producer = telemetry.spans.find((s) => s.name === `send ${Topics.ledgerEvents}`)!;
      expect(producer.parentSpanContext?.spanId).toBe(span.spanContext().spanId);
    });
  });
});

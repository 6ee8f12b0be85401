import { ROOT_CONTEXT, TraceFlags, context, trace } from '@opentelemetry/api';
import { InMemoryTelemetry } from '@approvals/testing';
import { contextOf, currentTraceFields, stampActiveTrace, traceFieldsOf } from './tracing';

const TRACE = '4bf92f3577b34da6a3ce929d0e0e4736';
const SPAN = '00f067aa0ba902b7';

describe('trace context helpers', () => {
  let telemetry: InMemoryTelemetry;
  beforeAll(() => (telemetry = InMemoryTelemetry.register()));
  afterAll(() => telemetry.shutdown());

  it("keeps a sampled-out trace whole: its context travels with flags 00", () => {
    const unsampled = trace.setSpanContext(ROOT_CONTEXT, { traceId: TRACE, spanId: SPAN, traceFlags: TraceFlags.NONE });
    expect(traceFieldsOf(unsampled)).toEqual({ traceparent: `00-${TRACE}-${SPAN}-00` });
  });

  it("uses the caller's trace context when no work is in progress", () => {
    expect(currentTraceFields({ traceparent: `00-${TRACE}-${SPAN}-01` })).toEqual({ traceparent: `00-${TRACE}-${SPAN}-01` });
    expect(contextOf({})).toBeUndefined();
    expect(contextOf({ traceparent: 'not a traceparent' })).toBeUndefined();
  });

  it('makes a bus message carry the active span, so its handlers continue it', () => {
    const message = { type: 'T', data: {}, metadata: { messageId: 'm1', traceparent: `00-${TRACE}-${SPAN}-01`, tracestate: 'old=1' } };
    const span = trace.getTracer('test').startSpan('process', {}, contextOf(message.metadata));
    context.with(trace.setSpan(context.active(), span), () => stampActiveTrace(message));
    span.end();
    expect(message.metadata).toEqual({ messageId: 'm1', traceparent: `00-${TRACE}-${span.spanContext().spanId}-01`, tracestate: 'old=1' });
  });

  it('leaves a message alone outside any span', () => {
    const message = { metadata: { traceparent: `00-${TRACE}-${SPAN}-01` } };
    stampActiveTrace(message);
    expect(message.metadata.traceparent).toBe(`00-${TRACE}-${SPAN}-01`);
  });
});

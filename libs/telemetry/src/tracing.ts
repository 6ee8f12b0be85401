import type { Attributes, Context, Span, SpanKind, Tracer } from '@opentelemetry/api';
import { INVALID_SPAN_CONTEXT, ROOT_CONTEXT, SpanStatusCode, context, defaultTextMapGetter, defaultTextMapSetter, isSpanContextValid, trace } from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import type { TraceContext } from '@approvals/application';

let recording = false;

/** Whether this process records spans; without it our own spans are skipped outright (tracing off costs nothing). */
export const tracingOn = (): boolean => recording;

/** Set once telemetry has started (or a test registered an SDK). */
export function setTracingOn(on: boolean): void {
  recording = on;
}

/** What work runs with when no span is recorded. */
export const NO_SPAN: Span = trace.wrapSpanContext(INVALID_SPAN_CONTEXT);

/** Our five services; each has its own tracer, so their spans stay apart in embedded mode too. */
export type ApprovalsService = 'intake' | 'policy-evaluator' | 'decision' | 'notifier' | 'audit-projector';

/** Attribute naming the service a span belongs to (five share one process in embedded mode). */
export const SERVICE_ATTRIBUTE = 'approvals.service';

/** The tracer of one of our services (instrumentation scope `approvals.<service>`). */
export const tracerOf = (service: ApprovalsService): Tracer => trace.getTracer(`approvals.${service}`);

// Messages and ledger events carry W3C fields whatever OTEL_PROPAGATORS says for calls and headers
// (b3, say): the ledger's trace ids must not depend on a setting of the day.
const w3c = new W3CTraceContextPropagator();

/** The context that W3C fields carry, or undefined when they carry none (or tracing is off). */
export function contextOf(fields: TraceContext | undefined): Context | undefined {
  if (!fields?.traceparent) return undefined;
  const carrier: Record<string, string> = { traceparent: fields.traceparent };
  if (fields.tracestate) carrier['tracestate'] = fields.tracestate;
  const extracted = w3c.extract(ROOT_CONTEXT, carrier, defaultTextMapGetter);
  return trace.getSpanContext(extracted) ? extracted : undefined;
}

/**
 * The W3C fields of a context's span; {} without one (tracing off, no work in progress). An
 * unsampled span's context travels too (flags 00): the action stays one trace, sampled or not.
 */
export function traceFieldsOf(ctx: Context = context.active()): TraceContext {
  const spanContext = trace.getSpanContext(ctx);
  if (!spanContext || !isSpanContextValid(spanContext)) return {};
  const carrier: Record<string, string> = {};
  w3c.inject(ctx, carrier, defaultTextMapSetter);
  return { ...(carrier['traceparent'] ? { traceparent: carrier['traceparent'] } : {}), ...(carrier['tracestate'] ? { tracestate: carrier['tracestate'] } : {}) };
}

/**
 * The trace context that new messages and events of the current work carry: the active span's
 * when there is one, else what the caller supplied (an agent's traceparent is kept with tracing off).
 */
export function currentTraceFields(fallback: TraceContext = {}): TraceContext {
  const active = traceFieldsOf();
  return active.traceparent ? active : fallback;
}

/**
 * Makes a bus message carry the active span as its trace context, so whatever its handlers
 * record or publish continues this span. Does nothing without an active span.
 */
export function stampActiveTrace(message: unknown): void {
  const metadata = (message as { metadata?: unknown } | null | undefined)?.metadata;
  if (typeof metadata !== 'object' || metadata === null) return;
  const fields = traceFieldsOf();
  if (!fields.traceparent) return;
  const target = metadata as Record<string, unknown>;
  target['traceparent'] = fields.traceparent;
  if (fields.tracestate) target['tracestate'] = fields.tracestate;
  else delete target['tracestate'];
}

/** The W3C fields in a bus message's metadata. */
export function traceFieldsOfMessage(message: unknown): TraceContext {
  const metadata = (message as { metadata?: { traceparent?: unknown; tracestate?: unknown } } | null | undefined)?.metadata;
  return {
    ...(typeof metadata?.traceparent === 'string' ? { traceparent: metadata.traceparent } : {}),
    ...(typeof metadata?.tracestate === 'string' ? { tracestate: metadata.tracestate } : {}),
  };
}

export interface SpanSpec {
  name: string;
  kind?: SpanKind;
  attributes?: Attributes;
  /** The parent; the active context when absent. */
  parent?: Context | undefined;
}

/** Runs `work` inside a new span (ended when it settles; a failure is recorded on it); with tracing off, a plain call. */
export function inSpan<T>(tracer: Tracer, spec: SpanSpec, work: (span: Span) => Promise<T>): Promise<T> {
  if (!recording) return work(NO_SPAN);
  const parent = spec.parent ?? context.active();
  const span = tracer.startSpan(spec.name, { ...(spec.kind !== undefined ? { kind: spec.kind } : {}), ...(spec.attributes ? { attributes: spec.attributes } : {}) }, parent);
  return context.with(trace.setSpan(parent, span), async () => {
    try {
      return await work(span);
    } catch (error) {
      failed(span, error);
      throw error;
    } finally {
      span.end();
    }
  });
}

/** Marks a span as failed with the error's message (never its stack: spans leave the process). */
export function failed(span: Span, error: unknown): void {
  span.setStatus({ code: SpanStatusCode.ERROR, message: error instanceof Error ? error.message : String(error) });
  span.setAttribute('error.type', error instanceof Error ? error.name : 'Error');
}

/** W3C trace context as it travels with a call or a message. */
export interface TraceContext {
  traceparent?: string | undefined;
  tracestate?: string | undefined;
}

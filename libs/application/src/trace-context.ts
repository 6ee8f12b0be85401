/** W3C trace context as it travels with a call or a message. */
export interface TraceContext {
  traceparent?: string | undefined;
  tracestate?: string | undefined;
}

/** The trace fields that are set, ready to spread into message metadata. */
export const traceFields = ({ traceparent, tracestate }: TraceContext): TraceContext => ({
  ...(traceparent ? { traceparent } : {}),
  ...(tracestate ? { tracestate } : {}),
});

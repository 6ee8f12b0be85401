import type { Attributes, Span, Tracer } from '@opentelemetry/api';
import { SpanKind, context, propagation, trace } from '@opentelemetry/api';
import type { TraceContext } from '@approvals/application';
import { NO_SPAN, contextOf, tracingOn } from './tracing';

// Attribute names of the OpenTelemetry semantic conventions for messaging (v1.26+), kept here
// instead of importing the whole incubating entry point of @opentelemetry/semantic-conventions.
export const MessagingAttributes = {
  system: 'messaging.system',
  destination: 'messaging.destination.name',
  partition: 'messaging.destination.partition.id',
  operationType: 'messaging.operation.type',
  operationName: 'messaging.operation.name',
  kafkaKey: 'messaging.kafka.message.key',
  consumerGroup: 'messaging.consumer.group.name',
} as const;

// A proxy: it follows the tracer provider registered later, so it can be taken once.
const bus = trace.getTracer('approvals.bus');

/** The tracer of our Kafka publisher. */
export const busTracer = (): Tracer => bus;

export interface ProducerSpanSpec {
  system: 'kafka';
  destination: string;
  key?: string | undefined;
  /** The trace context the message already carries (a ledger event's); else the active context. */
  carried?: TraceContext | undefined;
}

/**
 * A PRODUCER span `send <destination>` for one message, started under the message's own trace
 * (the relay publishes ledger events long after, and apart from, the work that recorded them),
 * and the W3C fields the message must carry so its consumer continues this span.
 */
export function startProducerSpan(tracer: Tracer, spec: ProducerSpanSpec): { span: Span; headers: Record<string, string> } {
  if (!tracingOn()) return { span: NO_SPAN, headers: {} };
  const parent = contextOf(spec.carried) ?? context.active();
  const attributes: Attributes = {
    [MessagingAttributes.system]: spec.system,
    [MessagingAttributes.destination]: spec.destination,
    [MessagingAttributes.operationType]: 'send',
    [MessagingAttributes.operationName]: 'send',
  };
  if (spec.key !== undefined) attributes[MessagingAttributes.kafkaKey] = spec.key;
  const span = tracer.startSpan(`send ${spec.destination}`, { kind: SpanKind.PRODUCER, attributes }, parent);
  const headers: Record<string, string> = {};
  propagation.inject(trace.setSpan(parent, span), headers);
  return { span, headers };
}

import type { Attributes, Context, Span, Tracer } from '@opentelemetry/api';
import { SpanKind, context, propagation, trace } from '@opentelemetry/api';
import type { TraceFields } from './tracing';
import { contextOf } from './tracing';

// Attribute names of the OpenTelemetry semantic conventions for messaging (v1.26+), kept here
// instead of importing the whole incubating entry point of @opentelemetry/semantic-conventions.
export const MessagingAttributes = {
  system: 'messaging.system',
  destination: 'messaging.destination.name',
  partition: 'messaging.destination.partition.id',
  operationType: 'messaging.operation.type',
  operationName: 'messaging.operation.name',
  messageId: 'messaging.message.id',
  conversationId: 'messaging.message.conversation_id',
  kafkaKey: 'messaging.kafka.message.key',
  batchCount: 'messaging.batch.message_count',
  consumerGroup: 'messaging.consumer.group.name',
} as const;

/** `messaging.system` of the embedded mode's in-process bus (not a registered value: ours). */
export const IN_PROCESS_SYSTEM = 'approvals_in_process';

/** The tracer of our bus transports (the Kafka publisher and the in-process broker). */
export const busTracer = (): Tracer => trace.getTracer('approvals.bus');

export interface ProducerSpanSpec {
  system: 'kafka' | typeof IN_PROCESS_SYSTEM;
  destination: string;
  key?: string | undefined;
  messageId?: string | undefined;
  /** The trace context the message already carries (a ledger event's); else the active context. */
  carried?: TraceFields | undefined;
}

/**
 * A PRODUCER span `send <destination>` for one message, started under the message's own trace
 * (the relay publishes ledger events long after, and apart from, the work that recorded them),
 * and the W3C fields the message must carry so its consumer continues this span.
 */
export function startProducerSpan(tracer: Tracer, spec: ProducerSpanSpec): { span: Span; headers: Record<string, string> } {
  const parent = contextOf(spec.carried) ?? context.active();
  const attributes: Attributes = {
    [MessagingAttributes.system]: spec.system,
    [MessagingAttributes.destination]: spec.destination,
    [MessagingAttributes.operationType]: 'send',
    [MessagingAttributes.operationName]: 'send',
  };
  if (spec.key !== undefined) attributes[spec.system === 'kafka' ? MessagingAttributes.kafkaKey : MessagingAttributes.conversationId] = spec.key;
  if (spec.messageId !== undefined) attributes[MessagingAttributes.messageId] = spec.messageId;
  const span = tracer.startSpan(`send ${spec.destination}`, { kind: SpanKind.PRODUCER, attributes }, parent);
  const headers: Record<string, string> = {};
  propagation.inject(trace.setSpan(parent, span), headers);
  return { span, headers };
}

/**
 * A CONSUMER span `process <destination>` continuing the producer's context (the in-process bus;
 * on Kafka the official kafkajs instrumentation makes this span).
 */
export function startConsumerSpan(tracer: Tracer, destination: string, producer: Context | undefined, key?: string): { span: Span; context: Context } {
  const parent = producer ?? context.active();
  const span = tracer.startSpan(
    `process ${destination}`,
    {
      kind: SpanKind.CONSUMER,
      attributes: {
        [MessagingAttributes.system]: IN_PROCESS_SYSTEM,
        [MessagingAttributes.destination]: destination,
        [MessagingAttributes.operationType]: 'process',
        [MessagingAttributes.operationName]: 'process',
        ...(key !== undefined ? { [MessagingAttributes.conversationId]: key } : {}),
      },
    },
    parent,
  );
  return { span, context: trace.setSpan(parent, span) };
}

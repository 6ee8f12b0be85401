import type { MessagePublisher } from '@approvals/application';
import type { TopicName } from '@approvals/contracts';
import type { Kafka, Producer } from 'kafkajs';

/** W3C trace context travels in Kafka headers, as the OpenTelemetry messaging conventions say. */
const traceHeaders = (message: unknown): Record<string, string> => {
  const metadata = (message as { metadata?: { traceparent?: unknown; tracestate?: unknown } } | undefined)?.metadata;
  const headers: Record<string, string> = {};
  if (typeof metadata?.traceparent === 'string') headers['traceparent'] = metadata.traceparent;
  if (typeof metadata?.tracestate === 'string') headers['tracestate'] = metadata.tracestate;
  return headers;
};

/**
 * Publishes bus messages to Kafka: JSON values, the action id as the key (so an action's messages
 * stay in one partition, in order), an idempotent producer and acknowledgement from all in-sync
 * replicas. `publish` resolves once the broker has the message, which is when the outbox relay may
 * move its checkpoint.
 */
export class KafkaPublisher implements MessagePublisher {
  private constructor(private readonly producer: Producer) {}

  static async connect(kafka: Kafka): Promise<KafkaPublisher> {
    // One in-flight request keeps ordering exact across retries, with or without idempotence.
    const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1, allowAutoTopicCreation: false });
    await producer.connect();
    return new KafkaPublisher(producer);
  }

  async publish(topic: TopicName, key: string, message: unknown): Promise<void> {
    const value = JSON.stringify(message);
    if (typeof value !== 'string') throw new TypeError(`a bus message must be a JSON value, not ${typeof message}`);
    await this.producer.send({ topic, acks: -1, messages: [{ key, value, headers: traceHeaders(message) }] });
  }

  async close(): Promise<void> {
    await this.producer.disconnect();
  }
}

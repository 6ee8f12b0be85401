import type { MessagePublisher } from '@approvals/application';
import { BusUnavailableError } from '@approvals/application';
import type { TopicName } from '@approvals/contracts';
import type { IHeaders, Kafka, Producer } from 'kafkajs';
import { Partitioners } from 'kafkajs';
import type { Span } from '@opentelemetry/api';
import { busTracer, failed, startProducerSpan, traceFieldsOfMessage } from '@approvals/telemetry';
import { KafkaNames } from './kafka-client';
import { toWire } from '../wire';

/** W3C trace context travels in Kafka headers, as the OpenTelemetry messaging conventions say. */
export const traceHeaders = (message: unknown): Record<string, string> => traceFieldsOfMessage(message) as Record<string, string>;

export interface OutgoingRecord {
  key: string;
  value: string;
  headers?: IHeaders;
}

export interface SendOptions {
  /** Withdraws the records while they still wait for the broker (once sent, they cannot be). */
  signal?: AbortSignal;
}

export interface KafkaPublisherOptions {
  /**
   * Records that may wait for the broker (default 10,000). While it is away, what is published
   * beyond that is refused at once with BusUnavailableError instead of held in memory.
   */
  maxQueuedRecords?: number;
}

interface Queued {
  topic: string;
  records: OutgoingRecord[];
  spans: Span[];
  resolve: () => void;
  reject: (error: unknown) => void;
  /** Stops listening to the caller's signal once the records are sent or withdrawn. */
  release: () => void;
}

/**
 * Publishes bus messages to Kafka: JSON values, the action id as the key (so an action's messages
 * stay in one partition, in order), an idempotent producer and acknowledgement from all in-sync
 * replicas. `publish` resolves once the broker has the message, which is when the outbox relay may
 * move its checkpoint. One producer per process: command replies and dead letters use it too.
 *
 * kafkajs sends every `send()` as its own request, and one request at a time keeps the order exact,
 * so under load sends would queue one behind the other. Instead, whatever is published while a
 * request is in flight goes out together in the next one (in publish order): batching grows with
 * load and costs nothing when idle, like a producer's linger but without a timer.
 */
export class KafkaPublisher implements MessagePublisher {
  private queue: Queued[] = [];
  private queuedRecords = 0;
  private flushing = false;
  private readonly maxQueuedRecords: number;

  private constructor(
    private readonly producer: Producer,
    readonly names: KafkaNames,
    options: KafkaPublisherOptions,
  ) {
    this.maxQueuedRecords = options.maxQueuedRecords ?? 10_000;
  }

  static async connect(kafka: Kafka, names = new KafkaNames(), options: KafkaPublisherOptions = {}): Promise<KafkaPublisher> {
    const producer = kafka.producer({
      idempotent: true,
      // One in-flight request keeps ordering exact across retries, with or without idempotence.
      maxInFlightRequests: 1,
      allowAutoTopicCreation: false,
      // Murmur2, as Java clients partition: an action's key lands where any Kafka tool expects it.
      createPartitioner: Partitioners.DefaultPartitioner,
      // kafkajs wants unlimited retries for an idempotent producer; maxRetryTime still spaces them out.
      retry: { retries: Number.MAX_SAFE_INTEGER, initialRetryTime: 200, maxRetryTime: 5000 },
    });
    await producer.connect();
    return new KafkaPublisher(withoutSendInstrumentation(producer), names, options);
  }

  /** Records waiting for the broker, not counting the request in flight. */
  get waiting(): number {
    return this.queuedRecords;
  }

  async publish(topic: TopicName, key: string, message: unknown): Promise<void> {
    await this.send(topic, [{ key, value: toWire(message), headers: traceHeaders(message) }]);
  }

  /** Writes records as they are (commands, replies, dead letters), with the same guarantees as publish. */
  async send(topic: string, records: OutgoingRecord[], options: SendOptions = {}): Promise<void> {
    await this.sendToBrokerTopic(this.names.topic(topic), records, options);
  }

  /** As send, to a topic named as on the broker (a reply-to header's value). */
  sendToBrokerTopic(brokerTopic: string, records: OutgoingRecord[], { signal }: SendOptions = {}): Promise<void> {
    if (signal?.aborted) return Promise.reject(signal.reason);
    if (this.queuedRecords + records.length > this.maxQueuedRecords) {
      return Promise.reject(new BusUnavailableError(`the Kafka broker is not taking messages (${this.queuedRecords} already wait for it); retry later`));
    }
    // One PRODUCER span per record, in the trace the record carries (or the caller's), ending when
    // the broker has it; its consumer's span continues it through the headers.
    const spans: Span[] = [];
    const traced = records.map((record) => {
      const { span, headers } = startProducerSpan(busTracer(), {
        system: 'kafka',
        destination: brokerTopic,
        key: record.key,
        carried: { traceparent: headerText(record.headers?.['traceparent']), tracestate: headerText(record.headers?.['tracestate']) },
      });
      spans.push(span);
      return Object.keys(headers).length > 0 ? { ...record, headers: { ...record.headers, ...headers } } : record;
    });
    return new Promise<void>((resolve, reject) => {
      const item: Queued = { topic: brokerTopic, records: traced, spans, resolve, reject, release: () => undefined };
      if (signal) {
        const withdraw = () => this.withdraw(item, signal.reason);
        signal.addEventListener('abort', withdraw, { once: true });
        item.release = () => signal.removeEventListener('abort', withdraw);
      }
      this.queue.push(item);
      this.queuedRecords += traced.length;
      if (!this.flushing) void this.flush();
    });
  }

  /** Takes records that have not gone out yet off the queue: their sender gave up on them. */
  private withdraw(item: Queued, reason: unknown): void {
    const index = this.queue.indexOf(item);
    if (index < 0) return; // in flight or sent: too late
    this.queue.splice(index, 1);
    this.queuedRecords -= item.records.length;
    item.release();
    for (const span of item.spans) {
      failed(span, reason);
      span.end();
    }
    item.reject(reason);
  }

  private async flush(): Promise<void> {
    this.flushing = true;
    while (this.queue.length > 0) {
      const batch = this.queue;
      this.queue = [];
      this.queuedRecords = 0;
      for (const item of batch) item.release();
      const byTopic = new Map<string, OutgoingRecord[]>();
      for (const item of batch) {
        const list = byTopic.get(item.topic);
        if (list) list.push(...item.records);
        else byTopic.set(item.topic, [...item.records]);
      }
      try {
        await this.producer.sendBatch({ acks: -1, topicMessages: [...byTopic].map(([topic, messages]) => ({ topic, messages })) });
        for (const item of batch) {
          for (const span of item.spans) span.end();
          item.resolve();
        }
      } catch (error) {
        for (const item of batch) {
          for (const span of item.spans) {
            failed(span, error);
            span.end();
          }
          item.reject(error);
        }
      }
    }
    this.flushing = false;
  }

  async close(): Promise<void> {
    await this.producer.disconnect();
  }
}

const headerText = (value: IHeaders[string]): string | undefined => {
  const first = Array.isArray(value) ? value[0] : value;
  return first === undefined ? undefined : first.toString();
};

/**
 * The producer's own sendBatch, without the kafkajs instrumentation's wrapper: that wrapper parents
 * every message of a batch on whatever trace is active when the batch goes out, and a batch here
 * mixes many actions' messages. This publisher makes each message's PRODUCER span itself, in the
 * message's own trace (consumers keep the official instrumentation's spans).
 */
function withoutSendInstrumentation(producer: Producer): Producer {
  const wrapped = producer.sendBatch as Producer['sendBatch'] & { __original?: Producer['sendBatch'] };
  if (typeof wrapped.__original === 'function') producer.sendBatch = wrapped.__original.bind(producer);
  return producer;
}

import type { DeadLetterMessage } from '@approvals/contracts';
import { CommandHeaders, InvalidMessageError, Topics, topicPartitions } from '@approvals/contracts';
import type { KafkaHealth, KafkaPublisher } from '@approvals/bus';
import type { Logger } from '@approvals/telemetry';
import { RestartingConsumer, toWire } from '@approvals/bus';
import { unavailableWaitDelay } from '@approvals/application';
import type { Consumer, EachMessagePayload, Kafka, KafkaMessage } from 'kafkajs';
import { MessagingAttributes, MetricNames, observeGauge } from '@approvals/telemetry';
import { BusServer } from './bus.server';

export interface KafkaServerOptions {
  kafka: Kafka;
  /** The producer of this process: command replies and dead letters go through it. */
  publisher: KafkaPublisher;
  /** One group per service, so each service sees every message once. */
  groupId: string;
  /**
   * Where a group without committed offsets starts. Services that must handle every message start
   * at the oldest; a per-instance feed (the intake's live updates) starts at the newest.
   */
  fromBeginning: boolean;
  logger: Logger;
  /** Whether the broker answers: the service is not ready while it does not. */
  health?: KafkaHealth;
  /** Attempts of a failing handler before the message is dead-lettered. */
  maxAttempts?: number;
  /** First retry delay; doubles with each attempt. */
  retryDelayMs?: number;
  /** How long start-up waits for the group to be joined. */
  joinTimeoutMs?: number;
}

/** What operators and /readyz see of the dead letters this process wrote. */
export interface DeadLetterRecord {
  readonly deadLetters: readonly DeadLetterMessage[];
}

/**
 * The distributed mode's NestJS transport over Kafka (kafkajs). One consumer per service, in the
 * service's consumer group, subscribed to the topics its controllers handle. Each partition is
 * handled strictly in order (an action's messages never overtake each other) and partitions in
 * parallel. A message's offset is committed only after its handlers finished (kafkajs resolves
 * the offset when `eachMessage` returns; commits follow every batch), so a crash redelivers it and
 * the idempotent handlers make that harmless. A failing handler is retried with backoff; a message
 * that still fails, or cannot be decoded at all, goes to the dead-letter topic with the error and
 * the partition moves on. A handler that failed because the store or the broker is unreachable
 * is not the message's fault: the partition waits and retries until it answers. Commands
 * (@MessagePattern) arrive on the decision service's command topic and are answered on the reply
 * topic their headers name.
 */
export class KafkaServer extends BusServer implements DeadLetterRecord {
  private consumer: RestartingConsumer | undefined;
  private readonly maxAttempts: number;
  private readonly retryDelayMs: number;
  private readonly log: Logger;
  private joined = false;
  private closing = false;
  readonly deadLetters: DeadLetterMessage[] = [];
  /** Each partition's lag behind its high watermark, as of the last batch fetched from it. */
  private readonly offsetLag = new Map<string, { topic: string; partition: number; lag: number }>();

  constructor(private readonly options: KafkaServerOptions) {
    super();
    this.maxAttempts = options.maxAttempts ?? 5;
    this.retryDelayMs = options.retryDelayMs ?? 100;
    this.log = options.logger.child({ component: 'kafka-server', group: options.groupId });
  }

  /**
   * True while the consumer is a member of its group and the broker answers (false before
   * start-up, during rebalances and while the broker is away). A service without bus handlers
   * has no use for the broker and is always ready as far as the bus goes.
   */
  get ready(): boolean {
    return this.notReadyReason === undefined;
  }

  get notReadyReason(): string | undefined {
    if (this.consumer === undefined) return undefined;
    if (this.options.health && !this.options.health.reachable) return 'the Kafka broker is unreachable';
    if (!this.joined) return 'the bus is not connected yet (or is rebalancing)';
    return undefined;
  }

  listen(callback: (error?: unknown) => void): void {
    this.start().then(
      () => callback(),
      (error: unknown) => callback(error),
    );
  }

  private async start(): Promise<void> {
    const patterns = this.subscribedTopics();
    if (this.servedCommands().length > 0) patterns.push(Topics.decisionCommands);
    if (patterns.length === 0) return; // a service with no bus handlers (the audit projector) needs no consumer
    const topics = patterns.map((pattern) => this.names.topic(pattern));
    observeGauge(MetricNames.consumerLag, { description: 'Messages of a partition the consumer group has not processed yet', unit: '{message}' }, () =>
      [...this.offsetLag.values()].map(({ topic, partition, lag }) => ({
        value: lag,
        attributes: {
          [MessagingAttributes.system]: 'kafka',
          [MessagingAttributes.destination]: topic,
          [MessagingAttributes.partition]: String(partition),
          [MessagingAttributes.consumerGroup]: this.options.groupId,
        },
      })),
    );
    this.consumer = new RestartingConsumer(
      () => this.createConsumer(),
      async (consumer) => {
        await consumer.connect();
        await consumer.subscribe({ topics, fromBeginning: this.options.fromBeginning });
        await consumer.run({
          autoCommit: true,
          autoCommitInterval: 250,
          partitionsConsumedConcurrently: Math.max(...patterns.map((p) => topicPartitions[p as keyof typeof topicPartitions] ?? 1)),
          eachMessage: (payload) => this.handle(payload),
        });
      },
      {
        joinTimeoutMs: this.options.joinTimeoutMs ?? 60_000,
        onCrash: (err, retryInMs) => this.log.error({ err, retryInMs }, `the Kafka consumer stopped; starting it again in ${retryInMs} ms`),
        onRestarted: () => this.log.info('the Kafka consumer is running again'),
      },
    );
    await this.consumer.start();
    this.log.info({ topics }, 'consuming');
  }

  private createConsumer(): Consumer {
    const consumer = this.options.kafka.consumer({
      groupId: this.options.groupId,
      allowAutoTopicCreation: false,
      // Low: an idle partition must not hold back the next fetch for long.
      maxWaitTimeInMs: 100,
      // A crashed member holds its partitions until its session times out (Kafka's default is 45 s):
      // short sessions let a restarted service take its partitions back within seconds.
      sessionTimeout: 10_000,
      heartbeatInterval: 1000,
      // Never give up on the broker: a restart of it is ridden out by reconnecting (and a crash
      // kafkajs does not recover from by starting a new consumer, see RestartingConsumer).
      retry: { retries: Number.MAX_SAFE_INTEGER, restartOnFailure: async () => true },
    });
    consumer.on(consumer.events.GROUP_JOIN, (event) => {
      this.joined = true;
      this.log.info({ assigned: event.payload.memberAssignment }, 'joined the consumer group');
    });
    consumer.on(consumer.events.REBALANCING, () => {
      this.joined = false;
      // Partitions may move to another member: its lag is theirs to report now.
      this.offsetLag.clear();
    });
    consumer.on(consumer.events.END_BATCH_PROCESS, ({ payload }) => {
      this.offsetLag.set(`${payload.topic}\u0000${payload.partition}`, { topic: payload.topic, partition: payload.partition, lag: Number(payload.offsetLag) });
    });
    consumer.on(consumer.events.CRASH, (event) => {
      this.joined = false;
      this.log.error({ err: event.payload.error, restart: event.payload.restart }, 'Kafka consumer crashed');
    });
    return consumer;
  }

  private get names() {
    return this.options.publisher.names;
  }

  private async handle({ topic: brokerTopic, partition, message, heartbeat }: EachMessagePayload): Promise<void> {
    const topic = this.names.unprefixed(brokerTopic);
    const command = topic === Topics.decisionCommands ? header(message, CommandHeaders.command) : undefined;
    const pattern = command ?? topic;
    let data: unknown;
    try {
      data = decode(message);
      if (command === undefined && topic === Topics.decisionCommands) throw new InvalidMessageError(`a message on ${topic} names no command`);
      if (!this.hasHandler(pattern)) throw new InvalidMessageError(`no handler for ${pattern}`);
    } catch (error) {
      await this.deadLetter(topic, partition, message, error, 1);
      return;
    }
    for (let attempt = 1, unavailableFailures = 0; ; attempt += 1) {
      try {
        const result = await this.dispatch(pattern, data);
        if (command !== undefined) await this.reply(message, result);
        return;
      } catch (error) {
        const wait = unavailableWaitDelay(error, (unavailableFailures += 1), this.retryDelayMs);
        if (wait !== undefined) {
          // The partition waits for the store or the broker (its order must hold); the offset stays uncommitted.
          // On shutdown the message is left for the next owner of the partition.
          if (this.closing) throw error;
          if (unavailableFailures === 1 || unavailableFailures % 20 === 0) {
            this.log.warn({ err: error, topic, partition, offset: message.offset, failures: unavailableFailures }, 'a dependency (the store or the broker) is unavailable; waiting to handle the message');
          }
          attempt -= 1;
          await new Promise((resolve) => setTimeout(resolve, wait));
          await heartbeat();
          continue;
        }
        unavailableFailures = 0;
        const poison = error instanceof InvalidMessageError;
        this.log.warn({ err: error, topic, partition, offset: message.offset, attempt }, 'bus handler failed');
        if (poison || attempt >= this.maxAttempts) {
          await this.deadLetter(topic, partition, message, error, attempt);
          if (command !== undefined) {
            await this.reply(message, { ok: false, code: poison ? 'INVALID_ARGUMENT' : 'INTERNAL', message: `${command} failed: ${(error as Error).message}` });
          }
          return;
        }
        await new Promise((resolve) => setTimeout(resolve, this.retryDelayMs * 2 ** (attempt - 1)));
        await heartbeat();
      }
    }
  }

  private async reply(request: KafkaMessage, reply: unknown): Promise<void> {
    const replyTo = header(request, CommandHeaders.replyTo);
    const correlationId = header(request, CommandHeaders.correlationId);
    if (!replyTo || !correlationId) return; // nobody waits for it
    await this.options.publisher.sendToBrokerTopic(replyTo, [
      { key: correlationId, value: toWire(reply), headers: { [CommandHeaders.correlationId]: correlationId } },
    ]);
  }

  private async deadLetter(topic: string, partition: number, message: KafkaMessage, error: unknown, attempts: number): Promise<void> {
    const value = message.value ?? Buffer.alloc(0);
    const text = value.toString('utf8');
    const utf8 = Buffer.from(text, 'utf8').equals(value);
    const letter: DeadLetterMessage = {
      topic,
      partition,
      offset: message.offset,
      key: message.key?.toString('utf8') ?? '',
      group: this.options.groupId,
      error: error instanceof Error ? error.message : String(error),
      attempts,
      at: new Date().toISOString(),
      payload: utf8 ? text : value.toString('base64'),
      payloadEncoding: utf8 ? 'utf8' : 'base64',
    };
    // Written before the offset moves on: a crash here redelivers the message, never loses it.
    await this.options.publisher.send(Topics.deadLetters, [{ key: letter.key, value: toWire(letter) }]);
    this.deadLetters.push(letter);
    if (this.deadLetters.length > 1000) this.deadLetters.splice(0, this.deadLetters.length - 1000);
    this.log.error(
      { topic, partition, offset: message.offset, key: letter.key, attempts, error: letter.error },
      `message dead-lettered to ${Topics.deadLetters}`,
    );
  }

  /** Finishes the messages in hand, commits their offsets and leaves the group. */
  async close(): Promise<void> {
    this.closing = true;
    await this.consumer?.stop();
    this.consumer = undefined;
  }

  unwrap<T>(): T {
    return this.consumer?.current as T;
  }
}

const header = (message: KafkaMessage, name: string): string | undefined => {
  const value = message.headers?.[name];
  if (value === undefined) return undefined;
  return (Array.isArray(value) ? value[0] : value)?.toString('utf8');
};

function decode(message: KafkaMessage): unknown {
  const text = message.value?.toString('utf8');
  if (text === undefined) throw new InvalidMessageError('the message has no value');
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new InvalidMessageError(`the message is not JSON: ${(error as Error).message}`);
  }
}

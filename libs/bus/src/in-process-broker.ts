import type { CommandSender, MessagePublisher } from '@approvals/application';
import { unavailableWaitDelay } from '@approvals/application';
import type { CommandName, CommandReply, TopicName } from '@approvals/contracts';
import { commandReplySchema, parseMessage, topicPartitions } from '@approvals/contracts';
import type { Context } from '@opentelemetry/api';
import { context } from '@opentelemetry/api';
import { contextOf, traceFieldsOfMessage, tracingOn } from '@approvals/telemetry';
import { toWire } from './wire';

/** What the transport (a NestJS server in practice) offers the broker. */
export interface InProcessDispatcher {
  hasHandler(pattern: string): boolean;
  dispatch(pattern: string, data: unknown): Promise<unknown>;
}

export interface DeadLetter {
  topic: string;
  key: string;
  message: unknown;
  error: string;
  attempts: number;
  at: string;
}

export interface InProcessBrokerOptions {
  /** Attempts per message before it is dead-lettered. */
  maxAttempts?: number;
  /** First retry delay; doubles on each attempt. */
  retryDelayMs?: number;
  onError?: (error: unknown, context: { topic: string; key: string; attempt: number }) => void;
  /** Called once a message is given up on; the scheduler's redelivery is what saves its action. */
  onDeadLetter?: (letter: DeadLetter) => void;
}

/**
 * The embedded mode's bus. Topics are split into partitions by message key, like Kafka, and each
 * partition is handled strictly in order, so an action's messages never overtake each other.
 * Messages travel as JSON, as they would over the wire. A message that keeps failing is retried
 * with backoff and then dead-lettered, so one bad message cannot block its partition.
 */
export class InProcessBroker implements MessagePublisher, CommandSender {
  private dispatcher: InProcessDispatcher | undefined;
  private attached!: () => void;
  /** Messages published before the transport attaches wait for it, as producers wait for a broker. */
  private whenAttached = new Promise<void>((resolve) => (this.attached = resolve));
  private readonly partitions = new Map<string, Promise<void>>();
  private readonly inFlight = new Set<Promise<void>>();
  readonly deadLetters: DeadLetter[] = [];
  private readonly maxAttempts: number;
  private readonly retryDelayMs: number;

  constructor(private readonly options: InProcessBrokerOptions = {}) {
    this.maxAttempts = options.maxAttempts ?? 5;
    this.retryDelayMs = options.retryDelayMs ?? 50;
  }

  /** True once a transport is attached (for /readyz). */
  get ready(): boolean {
    return this.dispatcher !== undefined;
  }

  attach(dispatcher: InProcessDispatcher): void {
    this.dispatcher = dispatcher;
    this.attached();
  }

  detach(): void {
    this.dispatcher = undefined;
    this.whenAttached = new Promise<void>((resolve) => (this.attached = resolve));
  }

  /** Resolves once every subscriber of the topic has handled the message (or it was dead-lettered). */
  publish(topic: TopicName, key: string, message: unknown): Promise<void> {
    let wire: string;
    try {
      wire = toWire(message);
    } catch (error) {
      // Callers hold a promise (the outbox relay chains on it): reject it rather than throw.
      return Promise.reject(error);
    }
    const partition = `${topic}#${partitionOf(key, topicPartitions[topic] ?? 1)}`;
    // Handlers run in the message's own trace (a ledger event's), else the publisher's. Handing a
    // message over in memory is no network hop: it gets no span of its own, only the context.
    const produced = tracingOn() ? (contextOf(traceFieldsOfMessage(message)) ?? context.active()) : undefined;
    const previous = this.partitions.get(partition) ?? Promise.resolve();
    // The message before's failure was its publisher's to handle: this one is delivered either way.
    const deliver = () => this.deliver(topic, key, wire, produced);
    const next = previous.then(deliver, deliver);
    this.partitions.set(partition, next);
    this.inFlight.add(next);
    const settled = () => {
      this.inFlight.delete(next);
      if (this.partitions.get(partition) === next) this.partitions.delete(partition);
    };
    next.then(settled, settled);
    return next;
  }

  async send(command: CommandName, message: unknown): Promise<CommandReply> {
    await this.whenAttached;
    const dispatcher = this.requireDispatcher();
    if (!dispatcher.hasHandler(command)) throw new Error(`no handler for command ${command}`);
    const reply = await dispatcher.dispatch(command, JSON.parse(JSON.stringify(message)));
    return parseMessage(commandReplySchema, reply, `reply to ${command}`);
  }

  /** Waits until every published message has been handled. */
  async drain(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
  }

  private async deliver(topic: string, key: string, wire: string, produced: Context | undefined): Promise<void> {
    await this.whenAttached;
    const dispatcher = this.requireDispatcher();
    if (!dispatcher.hasHandler(topic)) return; // nobody subscribes: like a topic without consumers
    if (produced) await context.with(produced, () => this.deliverWithRetries(dispatcher, topic, key, wire));
    else await this.deliverWithRetries(dispatcher, topic, key, wire);
  }

  private async deliverWithRetries(dispatcher: InProcessDispatcher, topic: string, key: string, wire: string): Promise<void> {
    for (let attempt = 1, unavailableFailures = 0; ; attempt += 1) {
      try {
        await dispatcher.dispatch(topic, JSON.parse(wire));
        return;
      } catch (error) {
        this.options.onError?.(error, { topic, key, attempt });
        const wait = unavailableWaitDelay(error, (unavailableFailures += 1), this.retryDelayMs);
        if (wait !== undefined) {
          attempt -= 1; // a dependency's outage is not one of the message's attempts
          await new Promise((resolve) => setTimeout(resolve, wait));
          continue;
        }
        unavailableFailures = 0;
        if (attempt >= this.maxAttempts) {
          const letter: DeadLetter = {
            topic,
            key,
            message: JSON.parse(wire),
            error: error instanceof Error ? error.message : String(error),
            attempts: attempt,
            at: new Date().toISOString(),
          };
          this.deadLetters.push(letter);
          // Bounded: the log has every one; memory keeps the latest for /readyz and tests.
          if (this.deadLetters.length > 1000) this.deadLetters.splice(0, this.deadLetters.length - 1000);
          this.options.onDeadLetter?.(letter);
          return;
        }
        await new Promise((resolve) => setTimeout(resolve, this.retryDelayMs * 2 ** (attempt - 1)));
      }
    }
  }

  private requireDispatcher(): InProcessDispatcher {
    if (!this.dispatcher) throw new Error('the in-process bus has no transport attached yet');
    return this.dispatcher;
  }
}

/** Kafka's default partitioner is murmur2; any stable hash keeps per-key order here. */
function partitionOf(key: string, partitions: number): number {
  let hash = 0;
  for (let i = 0; i < key.length; i += 1) hash = (Math.imul(hash, 31) + key.charCodeAt(i)) | 0;
  return Math.abs(hash) % partitions;
}

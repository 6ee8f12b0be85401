import { randomUUID } from 'node:crypto';
import type { CommandSender } from '@approvals/application';
import { BusUnavailableError, withDeadline } from '@approvals/application';
import type { CommandName, CommandReply } from '@approvals/contracts';
import { CommandHeaders, Topics, commandReplySchema, parseMessage } from '@approvals/contracts';
import type { Kafka } from 'kafkajs';
import type { KafkaPublisher } from './kafka-publisher';
import { traceHeaders } from './kafka-publisher';
import { toWire } from '../wire';
import { RestartingConsumer } from './kafka-consumer-ready';
import type { KafkaHealth } from './kafka-health';

export interface KafkaCommandSenderOptions {
  /** The sending service, for the reply group's name. */
  service: string;
  /** How long a command may take, publish and reply together, before the caller hears "unavailable". */
  timeoutMs: number;
  /** While it says the broker is away, commands are refused at once rather than after the timeout. */
  health?: KafkaHealth;
  onError?: (error: unknown) => void;
}

interface Pending {
  resolve: (reply: CommandReply) => void;
  reject: (error: Error) => void;
}

/**
 * Request/reply over Kafka. A command goes to the decision service's command topic, keyed by its
 * action id, with a correlation id and the reply topic in its headers; the reply comes back on
 * the reply topic, which this sender reads in a consumer group of its own (so every sender sees
 * the replies addressed to it, whichever partition they land in). A reply that does not arrive in
 * time makes the command fail with BusUnavailableError: the caller answers "not yet", and its retry
 * is safe because the decision service handles every command idempotently. The time bounds the
 * whole command, publish and reply: a command still waiting for the broker then is withdrawn.
 */
export class KafkaCommandSender implements CommandSender {
  private constructor(
    private readonly publisher: KafkaPublisher,
    private readonly consumer: RestartingConsumer,
    private readonly options: KafkaCommandSenderOptions,
    /** Commands waiting for their reply, by correlation id. */
    private readonly pending: Map<string, Pending>,
  ) {}

  static async connect(kafka: Kafka, publisher: KafkaPublisher, options: KafkaCommandSenderOptions): Promise<KafkaCommandSender> {
    // A group per sender instance, starting at the newest replies: older ones belong to nobody alive.
    const names = publisher.names;
    const groupId = `${names.group(options.service)}.replies.${randomUUID()}`;
    const pending = new Map<string, Pending>();
    const consumer = new RestartingConsumer(
      () =>
        kafka.consumer({
          groupId,
          allowAutoTopicCreation: false,
          maxWaitTimeInMs: 250,
          retry: { retries: Number.MAX_SAFE_INTEGER, restartOnFailure: async () => true },
        }),
      async (consumer) => {
        await consumer.connect();
        await consumer.subscribe({ topics: [names.topic(Topics.commandReplies)], fromBeginning: false });
        await consumer.run({
          eachMessage: async ({ message }) => {
            const correlationId = message.headers?.[CommandHeaders.correlationId]?.toString();
            const waiting = correlationId ? pending.get(correlationId) : undefined;
            if (!waiting || !correlationId) return; // another sender's reply, or one that timed out
            pending.delete(correlationId);
            try {
              waiting.resolve(parseMessage(commandReplySchema, JSON.parse(message.value?.toString('utf8') ?? 'null'), 'command reply'));
            } catch (error) {
              waiting.reject(error as Error);
            }
          },
        });
      },
      { joinTimeoutMs: 60_000, onCrash: (error) => options.onError?.(error) },
    );
    const sender = new KafkaCommandSender(publisher, consumer, options, pending);
    // Replies produced before the group's first fetch would be skipped: wait until it is fetching.
    await consumer.start();
    return sender;
  }

  async send(command: CommandName, message: unknown): Promise<CommandReply> {
    const correlationId = randomUUID();
    const value = toWire(message);
    const key = actionIdOf(message) ?? correlationId;
    if (this.options.health && !this.options.health.reachable) {
      throw new BusUnavailableError(`${command} for action ${key} not sent: the Kafka broker is unreachable; retry later`);
    }
    return withDeadline(
      this.options.timeoutMs,
      () => new BusUnavailableError(`no reply to ${command} for action ${key} within ${this.options.timeoutMs} ms; retry later`),
      async (signal) => {
        const reply = new Promise<CommandReply>((resolve, reject) => this.pending.set(correlationId, { resolve, reject }));
        // A reply may fail (undecodable, or the sender closing) before the publish is acknowledged.
        reply.catch(() => undefined);
        try {
          await this.publisher.send(
            Topics.decisionCommands,
            [
              {
                key,
                value,
                headers: {
                  ...traceHeaders(message),
                  [CommandHeaders.command]: command,
                  [CommandHeaders.replyTo]: this.publisher.names.topic(Topics.commandReplies),
                  [CommandHeaders.correlationId]: correlationId,
                },
              },
            ],
            { signal },
          );
        } catch (error) {
          if (signal.aborted) throw signal.reason;
          this.options.onError?.(error);
          throw error instanceof BusUnavailableError ? error : new BusUnavailableError(`${command} could not be sent: ${(error as Error).message}`, { cause: error });
        }
        return reply;
      },
    ).finally(() => this.pending.delete(correlationId));
  }

  async close(): Promise<void> {
    for (const [id, pending] of this.pending) {
      pending.reject(new BusUnavailableError('the service is shutting down; retry later'));
      this.pending.delete(id);
    }
    await this.consumer.stop();
  }
}

const actionIdOf = (message: unknown): string | undefined => {
  const actionId = (message as { data?: { actionId?: unknown } } | undefined)?.data?.actionId;
  return typeof actionId === 'string' && actionId.length > 0 ? actionId : undefined;
};

import type { CommandName, CommandReply, TopicName } from '@approvals/contracts';

/** Publishes an event message to a topic; resolves once the bus has taken responsibility for it. */
export interface MessagePublisher {
  publish(topic: TopicName, key: string, message: unknown): Promise<void>;
}

/** Sends a command to its single handler and waits for the reply (request/reply over the bus). */
export interface CommandSender {
  send(command: CommandName, message: unknown): Promise<CommandReply>;
}

/**
 * The bus could not carry a command or its reply in time (broker down, decision service
 * restarting). Nothing is known to have happened: callers answer "not yet, retry" (UNAVAILABLE),
 * and a retry is safe because every command is idempotent.
 */
export class BusUnavailableError extends Error {
  override readonly name = 'BusUnavailableError';
}

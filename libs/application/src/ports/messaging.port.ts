import { StoreUnavailableError } from './event-store.port';
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
 * and a retry is safe because every command is idempotent. A command in flight when the caller
 * was told may still take effect once the broker is back; its retry then finds it done.
 */
export class BusUnavailableError extends Error {
  override readonly name = 'BusUnavailableError';
}

/** Longest pause between deliveries of a message while a dependency cannot be reached. */
export const UNAVAILABLE_WAIT_MAX_DELAY_MS = 5000;

/** The failure is a dependency's outage (the store, or the bus and the services behind it), not the message's fault. */
export const isUnavailable = (error: unknown): boolean => error instanceof StoreUnavailableError || error instanceof BusUnavailableError;

/**
 * The pause before delivering a failed message again when the failure was a dependency being
 * unreachable (see isUnavailable), or undefined for any other failure. Such a message is waited
 * for without limit (dead-lettering it would only delay its action); the pause doubles from
 * `firstDelayMs` with each failure in a row, up to UNAVAILABLE_WAIT_MAX_DELAY_MS.
 */
export function unavailableWaitDelay(error: unknown, failuresInARow: number, firstDelayMs: number): number | undefined {
  if (!isUnavailable(error)) return undefined;
  return Math.min(firstDelayMs * 2 ** Math.min(failuresInARow - 1, 20), UNAVAILABLE_WAIT_MAX_DELAY_MS);
}

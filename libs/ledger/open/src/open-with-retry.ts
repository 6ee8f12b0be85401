import { openLedger, type Ledger, type LedgerSpec, type LedgerTuning } from './open-ledger';

export interface RetryOptions {
  /** First pause after a failure; doubles up to maxDelayMs (defaults 500 ms and 10 s). */
  initialDelayMs?: number;
  maxDelayMs?: number;
  /** Told of every failed attempt, with the pause before the next one. */
  onRetry?: (error: unknown, attempt: number, delayMs: number) => void;
  signal?: AbortSignal;
}

/**
 * Runs `open` until it succeeds, trying again with exponential backoff while the store cannot be
 * reached: a service that starts before its database waits for it (and is not ready meanwhile)
 * instead of crashing; so does one whose schema waits for its migration. Configuration mistakes (a
 * TypeError, e.g. a bad schema name) and errors marked not retryable (a schema newer than this
 * program) are not retried.
 */
export async function openWithRetry<T>(open: () => Promise<T>, retry: RetryOptions = {}): Promise<T> {
  const max = retry.maxDelayMs ?? 10_000;
  let delay = retry.initialDelayMs ?? 500;
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await open();
    } catch (error) {
      if (error instanceof TypeError || isPermanent(error) || retry.signal?.aborted) throw error;
      retry.onRetry?.(error, attempt, delay);
      await new Promise((resolve) => setTimeout(resolve, delay));
      delay = Math.min(delay * 2, max);
    }
  }
}

/** Opens the ledger with {@link openWithRetry}. */
export const openLedgerWithRetry = (spec: LedgerSpec, tuning: LedgerTuning = {}, retry: RetryOptions = {}): Promise<Ledger> =>
  openWithRetry(() => openLedger(spec, tuning), retry);

/** An error, or one it was caused by, that says trying again cannot help (`retryable: false`). */
function isPermanent(error: unknown): boolean {
  for (let cause = error; cause instanceof Error; cause = cause.cause) {
    if ((cause as { retryable?: unknown }).retryable === false) return true;
  }
  return false;
}

import { isServiceError, statusName } from './transport';

/** One problem with one field of a request, as the service names it (e.g. `resource.kind`). */
export interface FieldViolation {
  field: string;
  description: string;
}

/** gRPC statuses after which the same call, with the same idempotency key, may succeed. */
const retryableStatuses = new Set(['UNAVAILABLE', 'DEADLINE_EXCEEDED', 'RESOURCE_EXHAUSTED', 'ABORTED']);

/**
 * A call the service refused or could not answer: the gRPC status name (`INVALID_ARGUMENT`,
 * `PERMISSION_DENIED`, `UNAVAILABLE`…), the service's message, and for a bad request every
 * field violation.
 */
export class ApprovalsError extends Error {
  override readonly name = 'ApprovalsError';
  constructor(
    readonly code: string,
    readonly details: string,
    readonly violations: readonly FieldViolation[] = [],
    options?: { cause?: unknown },
  ) {
    super(`${code}: ${details}`, options);
  }

  /** True when trying again later may succeed (the service was unavailable or overloaded). */
  get retryable(): boolean {
    return retryableStatuses.has(this.code);
  }
}

/** The ApprovalsError for anything a gRPC call failed with (other errors pass through). */
export function toApprovalsError(error: unknown): unknown {
  if (!isServiceError(error)) return error;
  const raw = error.metadata.get('x-field-violations')[0];
  let violations: FieldViolation[] = [];
  if (typeof raw === 'string') {
    try {
      const parsed: unknown = JSON.parse(raw);
      if (Array.isArray(parsed)) violations = parsed.filter((v): v is FieldViolation => typeof v?.field === 'string' && typeof v?.description === 'string');
    } catch {
      // A malformed trailer leaves the message, which lists the violations too.
    }
  }
  return new ApprovalsError(statusName(error.code), error.details || error.message, violations, { cause: error });
}

/** How persistently calls are retried while the service is unavailable. */
export interface RetryOptions {
  /** Attempts in all, the first included (default 10: about 8 s of retrying with the default pauses). */
  attempts?: number | undefined;
  /** First pause (default 100 ms); it doubles each time up to `maxDelayMs` (default 2 s), each between half and all of it. */
  initialDelayMs?: number | undefined;
  maxDelayMs?: number | undefined;
}

/** Waits `ms`, or rejects with the signal's reason as soon as it aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal!.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/**
 * Runs `operation` until it succeeds, fails for good, or the attempts run out; only retryable
 * failures are retried, with exponential backoff and equal jitter. Only for calls that are safe to
 * repeat (reads, and requests that carry the same idempotency key).
 */
export async function withRetries<T>(operation: (attempt: number) => Promise<T>, options: RetryOptions = {}, signal?: AbortSignal): Promise<T> {
  const attempts = Math.max(1, options.attempts ?? 10);
  const initial = options.initialDelayMs ?? 100;
  const max = options.maxDelayMs ?? 2_000;
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await operation(attempt);
    } catch (raw) {
      const error = toApprovalsError(raw);
      if (signal?.aborted || !(error instanceof ApprovalsError) || !error.retryable || attempt >= attempts) throw error;
      // Equal jitter: retries spread out, yet the whole wait stays long enough to outlast a restart.
      const pause = Math.min(max, initial * 2 ** (attempt - 1));
      await sleep(pause / 2 + (Math.random() * pause) / 2, signal);
    }
  }
}

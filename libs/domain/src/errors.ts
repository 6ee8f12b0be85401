/** Domain errors are values with a code; only the edges turn them into gRPC or HTTP statuses. */
export type DomainErrorCode =
  | 'NOT_FOUND'
  | 'IDEMPOTENCY_CONFLICT'
  | 'INVALID_STATE'
  | 'ALREADY_FINAL'
  | 'PERMISSION_DENIED'
  | 'INVALID_ARGUMENT'
  /** The action kept changing under a command (optimistic concurrency); retrying is safe. */
  | 'CONFLICT'
  /** The action's stream disagrees with the ledger log (I8): nothing is done with it. */
  | 'LEDGER_INCONSISTENT';

export interface DomainError {
  code: DomainErrorCode;
  message: string;
}

export type Result<T, E = DomainError> = { ok: true; value: T } | { ok: false; error: E };

export const ok = <T>(value: T): Result<T, never> => ({ ok: true, value });
export const fail = (code: DomainErrorCode, message: string): Result<never, DomainError> => ({
  ok: false,
  error: { code, message },
});

import type { DomainErrorCode } from '@approvals/domain';

/** One bad field of a request: its name as the API spells it, and what is wrong with it. */
export interface FieldViolation {
  field: string;
  description: string;
}

/**
 * The one vocabulary of errors the services answer callers with, whatever the API: each edge maps
 * a code to its status once (gRPC in `@approvals/nest-platform`'s `rpcErrorOf`).
 */
export type ApiErrorCode = 'INVALID_ARGUMENT' | 'ALREADY_EXISTS' | 'NOT_FOUND' | 'FAILED_PRECONDITION' | 'PERMISSION_DENIED' | 'ABORTED' | 'DATA_LOSS' | 'INTERNAL';

export type ApiError =
  | { code: 'INVALID_ARGUMENT'; message: string; violations: FieldViolation[] }
  | { code: Exclude<ApiErrorCode, 'INVALID_ARGUMENT'>; message: string };

export type ApiResult<T> = { ok: true; value: T } | { ok: false; error: ApiError };

/** What each domain error means to a caller; a new domain error code fails to compile until it is mapped here. */
const apiCodeOfDomain: { readonly [C in DomainErrorCode]: ApiErrorCode } = {
  NOT_FOUND: 'NOT_FOUND',
  IDEMPOTENCY_CONFLICT: 'ALREADY_EXISTS',
  INVALID_STATE: 'FAILED_PRECONDITION',
  ALREADY_FINAL: 'FAILED_PRECONDITION',
  PERMISSION_DENIED: 'PERMISSION_DENIED',
  INVALID_ARGUMENT: 'INVALID_ARGUMENT',
  CONFLICT: 'ABORTED',
  LEDGER_INCONSISTENT: 'DATA_LOSS',
};

/**
 * The error a caller gets for a domain error, or for a failed command reply (which carries the
 * domain error's code across the bus); a code this build does not know is INTERNAL.
 */
export function apiErrorOf(failure: { code: string; message: string }): ApiError {
  const code = Object.hasOwn(apiCodeOfDomain, failure.code) ? apiCodeOfDomain[failure.code as DomainErrorCode] : 'INTERNAL';
  return code === 'INVALID_ARGUMENT' ? { code, message: failure.message, violations: [] } : { code, message: failure.message };
}

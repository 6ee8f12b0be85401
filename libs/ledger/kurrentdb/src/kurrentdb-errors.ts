import { StoreUnavailableError } from '@approvals/application';
import { AccessDeniedError, DeadlineExceededError, ErrorType, UnavailableError } from '@kurrent/kurrentdb-client';

// gRPC status codes the client lets through unconverted (seen on appends to a closed port).
const GRPC_DEADLINE_EXCEEDED = 4;
const GRPC_UNAVAILABLE = 14;

/**
 * The KurrentDB server cannot be reached (down, wrong address, TLS mismatch) or did not answer in
 * time: the port's StoreUnavailableError, so consumers wait for it and edges answer "not yet".
 */
export class KurrentDbUnavailableError extends StoreUnavailableError {
  override readonly name = 'KurrentDbUnavailableError';
  constructor(
    readonly location: string,
    readonly operation: string,
    cause: unknown,
  ) {
    super(
      `KurrentDB at ${location} cannot be reached (${operation}): ${detailOf(cause)}; check that the server runs and that the connection string's host, port and tls setting are right`,
      { cause },
    );
  }
}

/** The connection string's user may not do what the ledger needs. */
export class KurrentDbAccessDeniedError extends Error {
  override readonly name = 'KurrentDbAccessDeniedError';
  constructor(
    readonly location: string,
    readonly operation: string,
    cause: unknown,
  ) {
    super(
      `KurrentDB at ${location} denied access (${operation}); the ledger reads $all and writes its own $approvals-* streams, which by default only members of $admins may do`,
      { cause },
    );
  }
}

/** Where a connection string points, without credentials (for errors and logs). */
export function describeKurrentDb(connectionString: string): string {
  const match = /^([a-z][a-z0-9+]*):\/\/(?:[^@/?]*@)?([^/?]*)/i.exec(connectionString.trim());
  return match ? `${match[1]!.toLowerCase()}://${match[2]}` : 'KurrentDB (unparsable connection string)';
}

/**
 * The error to raise for a failed client call: an unreachable server or a refused user becomes a
 * typed error that says what to check; anything else (conflicts, missing streams) passes unchanged.
 */
export function explainClientError(error: unknown, location: string, operation: string): unknown {
  if (error instanceof KurrentDbUnavailableError || error instanceof KurrentDbAccessDeniedError) return error;
  if (isUnavailable(error)) return new KurrentDbUnavailableError(location, operation, error);
  if (error instanceof AccessDeniedError || typeOf(error) === ErrorType.ACCESS_DENIED) return new KurrentDbAccessDeniedError(location, operation, error);
  return error;
}

function isUnavailable(error: unknown): boolean {
  if (error instanceof UnavailableError || error instanceof DeadlineExceededError) return true;
  const type = typeOf(error);
  if (type === ErrorType.UNAVAILABLE || type === ErrorType.DEADLINE_EXCEEDED || type === ErrorType.TIMEOUT) return true;
  const code = error instanceof Error ? (error as Error & { code?: unknown }).code : undefined;
  return code === GRPC_UNAVAILABLE || code === GRPC_DEADLINE_EXCEEDED;
}

function typeOf(error: unknown): unknown {
  return error instanceof Error ? (error as Error & { type?: unknown }).type : undefined;
}

function detailOf(cause: unknown): string {
  if (!(cause instanceof Error)) return String(cause);
  const kind = cause.constructor.name || cause.name;
  // The client's read path reports only the class name as its message.
  return cause.message && cause.message !== kind ? `${kind}: ${cause.message}` : kind;
}

import { Metadata, status } from '@grpc/grpc-js';
import type { ArgumentsHost, ExceptionFilter } from '@nestjs/common';
import { Catch, Logger } from '@nestjs/common';
import { RpcException } from '@nestjs/microservices';
import { throwError } from 'rxjs';
import type { ApiError, ApiErrorCode, FieldViolation } from '@approvals/application';
import { BusUnavailableError, StoreUnavailableError } from '@approvals/application';


// Every code of the application's error vocabulary has its status, and the few only the edge uses.
const codes: { readonly [C in ApiErrorCode | 'UNAUTHENTICATED' | 'UNAVAILABLE' | 'DEADLINE_EXCEEDED']: status } = {
  INVALID_ARGUMENT: status.INVALID_ARGUMENT,
  ALREADY_EXISTS: status.ALREADY_EXISTS,
  NOT_FOUND: status.NOT_FOUND,
  FAILED_PRECONDITION: status.FAILED_PRECONDITION,
  PERMISSION_DENIED: status.PERMISSION_DENIED,
  UNAUTHENTICATED: status.UNAUTHENTICATED,
  ABORTED: status.ABORTED,
  UNAVAILABLE: status.UNAVAILABLE,
  DEADLINE_EXCEEDED: status.DEADLINE_EXCEEDED,
  DATA_LOSS: status.DATA_LOSS,
  INTERNAL: status.INTERNAL,
};

export type GrpcErrorCode = keyof typeof codes;

/**
 * Caps on what an error puts into the trailers. Messages may echo client input, and an oversized
 * trailer makes the client reset the whole HTTP/2 session, failing its other calls too.
 */
export const grpcErrorLimits = {
  /** The status message (`grpc-message`), in UTF-8 bytes. */
  messageBytes: 1024,
  /** One violation's field name, in UTF-8 bytes. */
  fieldBytes: 64,
  /** One violation's description, in UTF-8 bytes. */
  descriptionBytes: 256,
  /** The whole `x-field-violations` trailer; violations past it are left out (the message still lists them). */
  violationsBytes: 2048,
} as const;

const ellipsis = '…';

/** `text` cut to at most `maxBytes` UTF-8 bytes (ellipsis included), never inside a character. */
export function truncateUtf8(text: string, maxBytes: number): string {
  if (Buffer.byteLength(text, 'utf8') <= maxBytes) return text;
  const budget = maxBytes - Buffer.byteLength(ellipsis, 'utf8');
  let used = 0;
  let end = 0;
  for (const char of text) {
    const size = Buffer.byteLength(char, 'utf8');
    if (used + size > budget) break;
    used += size;
    end += char.length;
  }
  return text.slice(0, end) + ellipsis;
}

/** Metadata values must be printable ASCII: escape everything else the JSON way. */
const asciiJson = (value: unknown): string =>
  JSON.stringify(value).replace(/[^ -~]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);

/** The `x-field-violations` trailer value: shortened entries, as many as fit in the cap. */
export function violationsTrailer(violations: FieldViolation[]): string {
  const kept: FieldViolation[] = [];
  let text = '[]';
  for (const violation of violations) {
    const entry = {
      field: truncateUtf8(violation.field, grpcErrorLimits.fieldBytes),
      description: truncateUtf8(violation.description, grpcErrorLimits.descriptionBytes),
    };
    const next = asciiJson([...kept, entry]);
    if (next.length > grpcErrorLimits.violationsBytes) break;
    kept.push(entry);
    text = next;
  }
  return text;
}

/**
 * The one place where error values become gRPC statuses. Field violations travel as a readable
 * message and, machine-readable, as JSON in the `x-field-violations` trailer; both are capped
 * (see {@link grpcErrorLimits}).
 */
export function grpcError(code: GrpcErrorCode, message: string, violations: FieldViolation[] = []): RpcException {
  const metadata = new Metadata();
  if (violations.length > 0) metadata.set('x-field-violations', violationsTrailer(violations));
  const details = truncateUtf8(message, grpcErrorLimits.messageBytes);
  return new RpcException({ code: codes[code], message: details, details, metadata });
}

/** The gRPC status of an error of the application's vocabulary, with its field violations. */
export const rpcErrorOf = (error: ApiError): RpcException =>
  grpcError(error.code, error.message, error.code === 'INVALID_ARGUMENT' ? error.violations : []);

/** INVALID_ARGUMENT listing every violation, one `field: description` per entry in the message. */
export function invalidArgument(violations: FieldViolation[]): RpcException {
  return grpcError('INVALID_ARGUMENT', violations.map((v) => `${v.field}: ${v.description}`).join('; '), violations);
}

const isGrpcStatus = (error: unknown): boolean =>
  typeof error === 'object' && error !== null && Number.isInteger((error as { code?: unknown }).code);

/** Anything unexpected becomes INTERNAL with no stack trace; the details go to the log. An unavailable bus is UNAVAILABLE. */
@Catch()
export class GrpcExceptionFilter implements ExceptionFilter {
  private readonly logger = new Logger('grpc');

  catch(exception: unknown, _host: ArgumentsHost) {
    if (exception instanceof RpcException && isGrpcStatus(exception.getError())) return throwError(() => exception.getError());
    // "Not yet": the bus, the decision service or the store is away; the caller retries with its idempotency key.
    if (exception instanceof BusUnavailableError || exception instanceof StoreUnavailableError) {
      return throwError(() => grpcError('UNAVAILABLE', exception.message).getError());
    }
    this.logger.error(exception instanceof Error ? (exception.stack ?? exception.message) : String(exception));
    return throwError(() => ({ code: status.INTERNAL, details: 'internal error; the server log has the details' }));
  }
}

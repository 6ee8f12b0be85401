import { Metadata, status } from '@grpc/grpc-js';
import type { ArgumentsHost, ExceptionFilter } from '@nestjs/common';
import { Catch, Logger } from '@nestjs/common';
import { RpcException } from '@nestjs/microservices';
import { throwError } from 'rxjs';

export interface FieldViolation {
  field: string;
  description: string;
}

const codes = {
  INVALID_ARGUMENT: status.INVALID_ARGUMENT,
  ALREADY_EXISTS: status.ALREADY_EXISTS,
  NOT_FOUND: status.NOT_FOUND,
  FAILED_PRECONDITION: status.FAILED_PRECONDITION,
  PERMISSION_DENIED: status.PERMISSION_DENIED,
  UNAUTHENTICATED: status.UNAUTHENTICATED,
  ABORTED: status.ABORTED,
  UNAVAILABLE: status.UNAVAILABLE,
  DEADLINE_EXCEEDED: status.DEADLINE_EXCEEDED,
  INTERNAL: status.INTERNAL,
} as const;

export type GrpcErrorCode = keyof typeof codes;

/**
 * The one place where error values become gRPC statuses. Field violations travel as a readable
 * message and, machine-readable, as JSON in the `x-field-violations` trailer.
 */
export function grpcError(code: GrpcErrorCode, message: string, violations: FieldViolation[] = []): RpcException {
  const metadata = new Metadata();
  if (violations.length > 0) metadata.set('x-field-violations', JSON.stringify(violations));
  return new RpcException({ code: codes[code], message, details: message, metadata });
}

/** Anything unexpected becomes INTERNAL with no stack trace; the details go to the log. */
@Catch()
export class GrpcExceptionFilter implements ExceptionFilter {
  private readonly logger = new Logger('grpc');

  catch(exception: unknown, _host: ArgumentsHost) {
    if (exception instanceof RpcException) return throwError(() => exception.getError());
    this.logger.error(exception instanceof Error ? (exception.stack ?? exception.message) : String(exception));
    return throwError(() => ({ code: status.INTERNAL, details: 'internal error; the server log has the details' }));
  }
}

import type { ArgumentsHost, RpcExceptionFilter } from '@nestjs/common';
import { Catch } from '@nestjs/common';
import type { Observable } from 'rxjs';
import { throwError } from 'rxjs';

/**
 * Bus handlers' errors go back to the transport as they are. Nest's default filter would log them
 * and replace them with "Internal server error", and the transport needs the real error: an
 * InvalidMessageError goes straight to the dead letters, anything else is retried, and a dead
 * letter must say what went wrong. The transports log every failure themselves.
 */
@Catch()
export class BusExceptionFilter implements RpcExceptionFilter {
  catch(exception: unknown, _host: ArgumentsHost): Observable<never> {
    return throwError(() => exception);
  }
}

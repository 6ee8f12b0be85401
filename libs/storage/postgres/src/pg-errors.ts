import type { Pool, PoolClient, QueryResult, QueryResultRow } from 'pg';
import { StoreUnavailableError } from '@approvals/application';

/** Socket errors of a server that is down, restarting or unreachable. */
const socketCodes = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'ENOTFOUND', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN']);
/**
 * SQLSTATEs of a lost connection (class 08), of a server out of resources for now (class 53: too
 * many connections, disk full, out of memory) and of a server shutting down or starting (57P0x).
 */
const unavailableStates = /^(08|53|57P0[1-3])/;
/** What node-postgres says when its connection ends under it, cannot be had in time, or a statement got no answer in time. */
const driverMessages = /Connection terminated|Client has encountered a connection error|timeout exceeded when trying to connect|Query read timeout/;

/** True when `error` says the server could not be reached, not that the statement was wrong. */
export function isConnectionError(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string' && (socketCodes.has(code) || unavailableStates.test(code))) return true;
  return driverMessages.test(error.message);
}

/** A connection failure as the port's StoreUnavailableError (naming `location`); any other error as it is. */
export function asStoreError(error: unknown, location: string): unknown {
  if (error instanceof StoreUnavailableError || !isConnectionError(error)) return error;
  return new StoreUnavailableError(`${location} cannot be reached: ${(error as Error).message}`, { cause: error });
}

/** A pool query whose connection failures surface as StoreUnavailableError. */
export async function queryOrUnavailable<R extends QueryResultRow>(pool: Pool, location: string, text: string, values: unknown[] = []): Promise<QueryResult<R>> {
  try {
    return await pool.query<R>(text, values);
  } catch (error) {
    throw asStoreError(error, location);
  }
}

/**
 * Keeps a checked-out client's connection errors from crashing the process. node-postgres emits
 * 'error' on a client whose connection breaks, and the pool listens only while the client is
 * idle; the statement in progress fails with the same error anyway. Call the returned function
 * before releasing the client.
 */
export function catchConnectionErrors(client: PoolClient): () => void {
  const ignore = () => undefined;
  client.on('error', ignore);
  return () => void client.removeListener('error', ignore);
}

/**
 * Runs `work` on a client of the pool with its connection errors caught (see
 * catchConnectionErrors); a client whose work failed is discarded rather than pooled again.
 */
export async function withPoolClient<T>(pool: Pool, work: (client: PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  const detach = catchConnectionErrors(client);
  let failure: Error | undefined;
  try {
    return await work(client);
  } catch (error) {
    failure = error instanceof Error ? error : new Error(String(error));
    throw error;
  } finally {
    detach();
    client.release(failure);
  }
}

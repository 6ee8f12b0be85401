import { Pool } from 'pg';

/** Where a connection string points, without its password (for errors and logs). */
export function describePostgres(connectionString: string, schema: string): string {
  try {
    const url = new URL(connectionString);
    return `postgres://${url.host}${url.pathname} (schema ${schema})`;
  } catch {
    return `PostgreSQL (schema ${schema})`;
  }
}

/** How long any of our statements may wait for the server's answer. */
export const postgresStatementTimeoutMs = 30_000;

/** A connection pool for our short statements, shared by the ledger and the read model. */
export function createPool(connectionString: string, max: number, onError: (error: unknown) => void): Pool {
  const pool = new Pool({
    connectionString,
    max,
    connectionTimeoutMillis: 5000,
    // A server that vanished without closing the connection (a host crash, a partition) must not
    // hold a statement for the kernel's minutes-long timeouts: give up, and let the caller retry.
    query_timeout: postgresStatementTimeoutMs,
    keepAlive: true,
    keepAliveInitialDelayMillis: 10_000,
    // Short statements only: JIT compilation (tens of ms) would cost more than any of them runs, and
    // the planner's guesses on a young, unanalysed events table are enough to trigger it.
    options: '-c jit=off',
  });
  // An idle connection that dies (server restart) must not crash the process: the pool replaces it.
  pool.on('error', onError);
  return pool;
}

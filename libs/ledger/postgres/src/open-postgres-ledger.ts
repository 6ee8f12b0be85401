import type { CheckpointStore } from '@approvals/application';
import { PgChangeListener } from './pg-change-listener';
import { PostgresCheckpointStore } from './postgres-checkpoint-store';
import { PostgresLogStore } from './postgres-log-store';
import { LEDGER_CHANNEL, PostgresEventStore, type PostgresEventStoreOptions } from './postgres-event-store';
import { migrate } from './schema';
import { type MigrationMode, validSchemaName } from '@approvals/postgres';
import { withPoolClient } from '@approvals/postgres';
import { createPool, describePostgres } from '@approvals/postgres';

export interface PostgresLedgerOptions extends PostgresEventStoreOptions {
  /** e.g. postgres://user@127.0.0.1:5432/approvals */
  connectionString: string;
  /** The schema that holds the ledger's tables (default "approvals"); created if missing. */
  schema?: string;
  /** Connections in the pool (default 10). */
  maxConnections?: number;
  onError?: (error: unknown) => void;
  /** Migrate the schema (default), or only verify that it is current (migrations run as an explicit step). */
  migrations?: MigrationMode;
}

export interface PostgresLedger {
  events: PostgresEventStore;
  /** Where it is, without the password. */
  location: string;
  checkpoints: CheckpointStore;
  /** The ledger log in the same schema. */
  log: PostgresLogStore;
  close(): Promise<void>;
}

/**
 * Opens the ledger on PostgreSQL: migrates the schema, then listens for appends. Fails with a
 * clear error when the server cannot be reached (the caller retries with backoff).
 */
export async function openPostgresLedger(options: PostgresLedgerOptions): Promise<PostgresLedger> {
  const schema = options.schema ?? 'approvals';
  if (!validSchemaName.test(schema)) throw new TypeError(`schema "${schema}" must be a lower-case identifier (letters, digits, _)`);
  const onError = options.onError ?? (() => undefined);
  const location = describePostgres(options.connectionString, schema);
  const pool = createPool(options.connectionString, options.maxConnections ?? 10, onError);
  try {
    await withPoolClient(pool, (client) => migrate(client, schema, options.migrations));
  } catch (error) {
    await pool.end().catch(() => undefined);
    throw new Error(`cannot open the ledger at ${location}: ${(error as Error).message}`, { cause: error });
  }
  const events: PostgresEventStore = new PostgresEventStore(pool, schema, location, options, async () => {
    await listener.stop();
    await pool.end();
  });
  const listener = new PgChangeListener(
    { connectionString: options.connectionString, connectionTimeoutMillis: 5000, keepAlive: true, keepAliveInitialDelayMillis: 10_000 },
    LEDGER_CHANNEL,
    (payload) => events.notified(payload),
    onError,
  );
  try {
    await listener.start();
  } catch (error) {
    await events.close();
    throw new Error(`cannot listen for ledger changes at ${location}: ${(error as Error).message}`, { cause: error });
  }
  return {
    events,
    location,
    checkpoints: new PostgresCheckpointStore(pool, schema, location),
    log: new PostgresLogStore(pool, schema, location),
    close: () => events.close(),
  };
}

import { createPool, describePostgres } from '@approvals/postgres';
import { type MigrationMode, validSchemaName } from '@approvals/postgres';
import { withPoolClient } from '@approvals/postgres';
import { PostgresReadModelStore } from './postgres-read-model-store';
import { migrateReadModelPg } from './schema';

export interface PostgresReadModelOptions {
  /** e.g. postgres://user@127.0.0.1:5432/approvals */
  connectionString: string;
  /** The schema that holds the read model's tables (default "approvals", the ledger's); created if missing. */
  schema?: string;
  /** Connections in the pool (default 5: one for the projector's writes, the rest for queries). */
  maxConnections?: number;
  /** Errors of idle connections (the pool replaces them). */
  onError?: (error: unknown) => void;
  /** Migrate the schema (default), or only verify that it is current (migrations run as an explicit step). */
  migrations?: MigrationMode;
}

/**
 * Opens the audit read model on PostgreSQL and brings its schema up to date. Fails with a clear
 * error when the server cannot be reached (the caller retries with backoff).
 */
export async function openPostgresReadModel(options: PostgresReadModelOptions): Promise<PostgresReadModelStore> {
  const schema = options.schema ?? 'approvals';
  if (!validSchemaName.test(schema)) throw new TypeError(`schema "${schema}" must be a lower-case identifier (letters, digits, _)`);
  const location = describePostgres(options.connectionString, schema);
  const pool = createPool(options.connectionString, options.maxConnections ?? 5, options.onError ?? (() => undefined));
  try {
    await withPoolClient(pool, (client) => migrateReadModelPg(client, schema, options.migrations));
  } catch (error) {
    await pool.end().catch(() => undefined);
    throw new Error(`cannot open the audit read model at ${location}: ${(error as Error).message}`, { cause: error });
  }
  return new PostgresReadModelStore(pool, schema, location);
}

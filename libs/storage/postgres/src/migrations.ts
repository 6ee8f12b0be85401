import type { PoolClient } from 'pg';

/** A PostgreSQL identifier, quoted (schema names come from configuration). */
export const quoteIdent = (name: string): string => `"${name.replaceAll('"', '""')}"`;

/** Schema names we accept: plain identifiers, so every statement can name the schema safely. */
export const validSchemaName = /^[a-z_][a-z0-9_]{0,62}$/;

/** One versioned migration: statements for a quoted schema name. */
export interface Migration {
  version: number;
  description: string;
  sql: (s: string) => string[];
}

/**
 * A schema at another version than this program knows. `retryable`: it is behind, and a migration
 * (running now, perhaps) will bring it up; not retryable: it is ahead, and only another program can use it.
 */
export class SchemaVersionError extends Error {
  override readonly name = 'SchemaVersionError';

  constructor(
    message: string,
    readonly retryable: boolean,
  ) {
    super(message);
  }
}

/**
 * `apply`: bring the schema up to date (embedded use, development, `approvals migrate`);
 * `verify`: only check that it is exactly what this program knows (production replicas, whose
 * schema is migrated by an explicit step before a rollout).
 */
export type MigrationMode = 'apply' | 'verify';

export interface MigrationSet {
  /** What the schema holds, for errors: "the ledger schema". */
  name?: string;
  /** Table (in the schema) that records the applied versions. */
  table: string;
  /** Names the advisory lock that concurrent starters serialise on. */
  lockName: string;
  migrations: readonly Migration[];
  /** The error for a schema newer than this build knows. */
  tooNew: (found: number, known: number) => string;
}

/**
 * Runs the migrations of `set` that `schema` lacks, in order, in one transaction. Concurrent
 * starters (several services) serialise on an advisory lock, so each migration runs exactly once.
 * With `verify`, changes nothing and refuses a schema that is behind this program (or ahead of it).
 */
export async function applyMigrations(client: PoolClient, schema: string, set: MigrationSet, mode: MigrationMode = 'apply'): Promise<number[]> {
  const s = quoteIdent(schema);
  const known = set.migrations.at(-1)!.version;
  if (mode === 'verify') {
    await verifyMigrations(client, schema, set, known);
    return [];
  }
  const applied: number[] = [];
  await client.query('BEGIN');
  try {
    await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`${set.lockName}:${schema}`]);
    await client.query(`CREATE SCHEMA IF NOT EXISTS ${s}`);
    await client.query(`CREATE TABLE IF NOT EXISTS ${s}.${set.table} (version integer PRIMARY KEY, description text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`);
    const done = new Set((await client.query<{ version: number }>(`SELECT version FROM ${s}.${set.table}`)).rows.map((r) => r.version));
    const newer = Math.max(0, ...done);
    if (newer > known) throw new SchemaVersionError(set.tooNew(newer, known), false);
    for (const migration of set.migrations) {
      if (done.has(migration.version)) continue;
      for (const statement of migration.sql(s)) await client.query(statement);
      await client.query(`INSERT INTO ${s}.${set.table} (version, description) VALUES ($1, $2)`, [migration.version, migration.description]);
      applied.push(migration.version);
    }
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  }
  return applied;
}

/** The schema is exactly at `known`; otherwise an error that says what to do. */
async function verifyMigrations(client: PoolClient, schema: string, set: MigrationSet, known: number): Promise<void> {
  const what = `${set.name ?? 'the schema'} "${schema}"`;
  const table = await client.query<{ found: string | null }>('SELECT to_regclass($1) AS found', [`${quoteIdent(schema)}.${set.table}`]);
  const found = table.rows[0]?.found
    ? Math.max(0, ...(await client.query<{ version: number }>(`SELECT version FROM ${quoteIdent(schema)}.${set.table}`)).rows.map((row) => row.version))
    : 0;
  if (found > known) throw new SchemaVersionError(set.tooNew(found, known), false);
  if (found < known) {
    throw new SchemaVersionError(
      `${what} is at version ${found}, and this program needs version ${known}: run the migrations first (approvals migrate, or the migration Job), ` +
        'or set APPROVALS_MIGRATIONS=on-start to let the services migrate as they start',
      true,
    );
  }
}

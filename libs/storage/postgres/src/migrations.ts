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

export interface MigrationSet {
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
 */
export async function applyMigrations(client: PoolClient, schema: string, set: MigrationSet): Promise<number[]> {
  const s = quoteIdent(schema);
  const known = set.migrations.at(-1)!.version;
  const applied: number[] = [];
  await client.query('BEGIN');
  try {
    await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`${set.lockName}:${schema}`]);
    await client.query(`CREATE SCHEMA IF NOT EXISTS ${s}`);
    await client.query(`CREATE TABLE IF NOT EXISTS ${s}.${set.table} (version integer PRIMARY KEY, description text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`);
    const done = new Set((await client.query<{ version: number }>(`SELECT version FROM ${s}.${set.table}`)).rows.map((r) => r.version));
    const newer = Math.max(0, ...done);
    if (newer > known) throw new Error(set.tooNew(newer, known));
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

import type { PoolClient } from 'pg';

/** A PostgreSQL identifier, quoted (schema names come from configuration). */
export const quoteIdent = (name: string): string => `"${name.replaceAll('"', '""')}"`;

/** Schema names we accept: plain identifiers, so every statement can name the schema safely. */
export const validSchemaName = /^[a-z_][a-z0-9_]{0,62}$/;

/**
 * Versioned migrations of the ledger's schema. Each runs once, in order, inside one transaction
 * with its version recorded; never edit a released one, add the next.
 */
export const migrations: readonly { version: number; description: string; sql: (s: string) => string[] }[] = [
  {
    version: 1,
    description: 'events, the global head, checkpoints; append-only',
    sql: (s) => [
      `CREATE TABLE ${s}.events (
        position    bigint PRIMARY KEY,
        stream_id   text NOT NULL,
        revision    integer NOT NULL,
        event_id    text NOT NULL UNIQUE,
        type        text NOT NULL,
        data        text NOT NULL,
        metadata    text NOT NULL,
        hash        text NOT NULL,
        recorded_at timestamptz NOT NULL,
        UNIQUE (stream_id, revision)
      )`,
      // One row: the position of the last committed event. Appends lock it until they commit (see
      // PostgresEventStore), which makes commit order equal position order.
      `CREATE TABLE ${s}.ledger_head (id boolean PRIMARY KEY DEFAULT true CHECK (id), position bigint NOT NULL)`,
      `INSERT INTO ${s}.ledger_head (position) VALUES (0)`,
      `CREATE TABLE ${s}.checkpoints (name text PRIMARY KEY, position bigint NOT NULL, updated_at timestamptz NOT NULL)`,
      `CREATE FUNCTION ${s}.refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
       BEGIN RAISE EXCEPTION 'the ledger is append-only: % on events is refused', TG_OP; END $$`,
      `CREATE TRIGGER events_append_only BEFORE UPDATE OR DELETE ON ${s}.events FOR EACH ROW EXECUTE FUNCTION ${s}.refuse_change()`,
      `CREATE TRIGGER events_no_truncate BEFORE TRUNCATE ON ${s}.events FOR EACH STATEMENT EXECUTE FUNCTION ${s}.refuse_change()`,
    ],
  },
];

export const LEDGER_PG_SCHEMA_VERSION = migrations.at(-1)!.version;

/**
 * Brings the schema up to date. Concurrent starters (several services) serialise on an advisory
 * lock, so each migration runs exactly once.
 */
export async function migrate(client: PoolClient, schema: string): Promise<number[]> {
  const s = quoteIdent(schema);
  const applied: number[] = [];
  await client.query('BEGIN');
  try {
    await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`approvals-ledger-migrations:${schema}`]);
    await client.query(`CREATE SCHEMA IF NOT EXISTS ${s}`);
    await client.query(`CREATE TABLE IF NOT EXISTS ${s}.schema_migrations (version integer PRIMARY KEY, description text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`);
    const done = new Set((await client.query<{ version: number }>(`SELECT version FROM ${s}.schema_migrations`)).rows.map((r) => r.version));
    const newer = Math.max(0, ...done);
    if (newer > LEDGER_PG_SCHEMA_VERSION) {
      throw new Error(`the ledger schema "${schema}" is at version ${newer}, newer than this program knows (${LEDGER_PG_SCHEMA_VERSION}); upgrade the program`);
    }
    for (const migration of migrations) {
      if (done.has(migration.version)) continue;
      for (const statement of migration.sql(s)) await client.query(statement);
      await client.query(`INSERT INTO ${s}.schema_migrations (version, description) VALUES ($1, $2)`, [migration.version, migration.description]);
      applied.push(migration.version);
    }
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  }
  return applied;
}

import type { PoolClient } from 'pg';

/** A PostgreSQL identifier, quoted (schema names come from configuration). */
export const quoteIdent = (name: string): string => `"${name.replaceAll('"', '""')}"`;

/** Schema names we accept: plain identifiers, so every statement can name the schema safely. */
export const validSchemaName = /^[a-z_][a-z0-9_]{0,62}$/;

/**
 * Versioned migrations of the ledger's schema. Each runs once, in order, inside one transaction
 * with its version recorded; never edit a released one, add the next.
 */
export const migrations: readonly Migration[] = [
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
  {
    version: 2,
    description: 'the ledger log: Merkle tree, recorded stream heads, findings',
    sql: (s) => [
      `CREATE TABLE ${s}.log_state (
        id boolean PRIMARY KEY DEFAULT true CHECK (id),
        size bigint NOT NULL,
        position bigint NOT NULL,
        frontier text NOT NULL,
        updated_at timestamptz NOT NULL
      )`,
      `CREATE TABLE ${s}.log_nodes (height integer NOT NULL, idx bigint NOT NULL, hash bytea NOT NULL, PRIMARY KEY (height, idx))`,
      `CREATE TABLE ${s}.log_stream_heads (stream_id text PRIMARY KEY, revision integer NOT NULL, hash text NOT NULL, leaf bigint NOT NULL)`,
      `CREATE TABLE ${s}.log_findings (
        id bigserial PRIMARY KEY,
        kind text NOT NULL,
        stream_id text,
        revision integer,
        position bigint,
        detail text NOT NULL,
        found_at timestamptz NOT NULL DEFAULT now()
      )`,
    ],
  },
  {
    version: 3,
    description: 'signed checkpoints of the ledger log',
    sql: (s) => [`CREATE TABLE ${s}.log_checkpoints (size bigint PRIMARY KEY, root_hash bytea NOT NULL, note text NOT NULL, created_at timestamptz NOT NULL DEFAULT now())`],
  },
  {
    version: 4,
    description: "each leaf's position, for a ledger with gaps in its positions (KurrentDB) whose log is kept here",
    sql: (s) => [`CREATE TABLE ${s}.log_leaves (leaf bigint PRIMARY KEY, position numeric(20) NOT NULL UNIQUE)`],
  },
];

export const LEDGER_PG_SCHEMA_VERSION = migrations.at(-1)!.version;

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

/** Brings the ledger's schema up to date. */
export const migrate = (client: PoolClient, schema: string): Promise<number[]> =>
  applyMigrations(client, schema, {
    table: 'schema_migrations',
    lockName: 'approvals-ledger-migrations',
    migrations,
    tooNew: (found, known) => `the ledger schema "${schema}" is at version ${found}, newer than this program knows (${known}); upgrade the program`,
  });

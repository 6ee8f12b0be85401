import type { PoolClient } from 'pg';
import { applyMigrations, type Migration, type MigrationMode } from '@approvals/postgres';

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

/** Brings the ledger's schema up to date. */
export const migrate = (client: PoolClient, schema: string, mode: MigrationMode = 'apply'): Promise<number[]> =>
  applyMigrations(
    client,
    schema,
    {
      name: 'the ledger schema',
      table: 'schema_migrations',
      lockName: 'approvals-ledger-migrations',
      migrations,
      tooNew: (found, known) => `the ledger schema "${schema}" is at version ${found}, newer than this program knows (${known}); upgrade the program`,
    },
    mode,
  );

import type { PoolClient } from 'pg';
import { applyMigrations, type Migration, type MigrationMode } from '@approvals/postgres';

/**
 * Versioned migrations of the audit read model on PostgreSQL, recorded in its own
 * `read_model_migrations` table so it can share a schema with the ledger or live in one of its
 * own. Each runs once, in order, in one transaction; never edit a released one, add the next. The
 * read model is derived from the ledger, so a step may also empty it and reset the checkpoint to
 * force a rebuild.
 */
export const readModelMigrations: readonly Migration[] = [
  {
    version: 1,
    description: 'audit read model: checkpoint, actions, voters, timeline',
    sql: (s) => [
      `CREATE TABLE ${s}.projection_checkpoint (
        id       integer PRIMARY KEY CHECK (id = 1),
        position bigint NOT NULL
      )`,
      `INSERT INTO ${s}.projection_checkpoint (id, position) VALUES (1, 0)`,
      // action_id is COLLATE "C" (byte order, as SQLite's BINARY): the search order and the page
      // tokens compare action ids, and must not depend on the server's locale.
      `CREATE TABLE ${s}.actions (
        action_id       text COLLATE "C" PRIMARY KEY,
        status          text NOT NULL,
        agent_id        text NOT NULL,
        on_behalf_of    text NOT NULL,
        action          text NOT NULL,
        resource_kind   text NOT NULL,
        resource_id     text NOT NULL,
        environment     text NOT NULL,
        requested_at    text NOT NULL,
        requested_at_ms bigint NOT NULL,
        decided_at      text NOT NULL,
        approved_by     text NOT NULL,
        voters          text NOT NULL,
        policy_version  text NOT NULL,
        reason          text NOT NULL
      )`,
      `CREATE INDEX actions_newest_first ON ${s}.actions (requested_at_ms DESC, action_id DESC)`,
      `CREATE INDEX actions_by_agent ON ${s}.actions (agent_id, requested_at_ms DESC, action_id DESC)`,
      `CREATE INDEX actions_by_action ON ${s}.actions (action, requested_at_ms DESC, action_id DESC)`,
      `CREATE INDEX actions_by_status ON ${s}.actions (status, requested_at_ms DESC, action_id DESC)`,
      `CREATE INDEX actions_by_environment ON ${s}.actions (environment, requested_at_ms DESC, action_id DESC)`,
      `CREATE TABLE ${s}.action_voters (
        approver_id text NOT NULL,
        action_id   text COLLATE "C" NOT NULL,
        PRIMARY KEY (approver_id, action_id)
      )`,
      `CREATE TABLE ${s}.timeline (
        action_id   text COLLATE "C" NOT NULL,
        revision    integer NOT NULL,
        position    bigint NOT NULL UNIQUE,
        event_id    text NOT NULL UNIQUE,
        type        text NOT NULL,
        occurred_at text NOT NULL,
        actor       text NOT NULL,
        summary     text NOT NULL,
        data_json   text NOT NULL,
        trace_id    text NOT NULL,
        hash        text NOT NULL,
        prev_hash   text NOT NULL,
        PRIMARY KEY (action_id, revision)
      )`,
    ],
  },
];

/** The read-model schema version this build writes on PostgreSQL. */
export const READ_MODEL_PG_SCHEMA_VERSION = readModelMigrations.at(-1)!.version;

/**
 * Brings the read model's tables in `schema` up to date; returns the versions it applied.
 * Its own migrations table and advisory lock (not the ledger's), so the two can share a schema.
 */
export const migrateReadModelPg = (client: PoolClient, schema: string, mode: MigrationMode = 'apply'): Promise<number[]> =>
  applyMigrations(
    client,
    schema,
    {
      name: 'the audit read model schema',
      table: 'read_model_migrations',
      lockName: 'approvals-read-model-migrations',
      migrations: readModelMigrations,
      tooNew: (found, known) =>
        `the audit read model in schema "${schema}" has schema version ${found}, newer than this build supports (${known}); upgrade the application, or drop the read model's tables to rebuild it from the ledger`,
    },
    mode,
  );

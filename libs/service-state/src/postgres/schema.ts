import type { PoolClient } from 'pg';
import { applyMigrations, type Migration, type MigrationMode } from '@approvals/postgres';

/** The state the replicas of a service share beside the ledger: leases, the notifier's pending list and digest windows, replay guards. */
const migrations: readonly Migration[] = [
  {
    version: 1,
    description: 'leases and the notifier pending list',
    sql: (s) => [
      `CREATE TABLE ${s}.leases (name text PRIMARY KEY, holder text NOT NULL, expires_at timestamptz NOT NULL)`,
      `CREATE TABLE ${s}.pending_approvals (action_id text PRIMARY KEY, requested_at text NOT NULL, doc text NOT NULL)`,
      `CREATE INDEX pending_by_time ON ${s}.pending_approvals (requested_at, action_id)`,
    ],
  },
  {
    version: 2,
    description: 'signed callbacks already accepted (replay guard)',
    sql: (s) => [`CREATE TABLE ${s}.replay_guards (key text PRIMARY KEY, keep_until timestamptz NOT NULL)`, `CREATE INDEX replay_guards_by_time ON ${s}.replay_guards (keep_until)`],
  },
  {
    version: 3,
    description: "the notifier's digest windows and the personal notices they hold",
    sql: (s) => [
      `CREATE TABLE ${s}.digest_windows (recipient text PRIMARY KEY, opened_at bigint NOT NULL, sent integer NOT NULL)`,
      `CREATE TABLE ${s}.held_notices (id bigserial PRIMARY KEY, recipient text NOT NULL, window_opened_at bigint NOT NULL, notice text NOT NULL)`,
      `CREATE INDEX held_notices_by_window ON ${s}.held_notices (window_opened_at)`,
    ],
  },
];

export const SERVICE_STATE_SCHEMA_VERSION = migrations.at(-1)!.version;

/** Brings the shared service state's schema up to date (its own migrations table: it may share a schema with the ledger). */
export const migrateServiceState = (client: PoolClient, schema: string, mode: MigrationMode = 'apply'): Promise<number[]> =>
  applyMigrations(
    client,
    schema,
    {
      name: 'the service state schema',
      table: 'service_state_migrations',
      lockName: 'approvals-service-state-migrations',
      migrations,
      tooNew: (found, known) => `the service state schema "${schema}" is at version ${found}, newer than this program knows (${known}); upgrade the program`,
    },
    mode,
  );

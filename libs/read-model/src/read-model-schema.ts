import type { DatabaseSync } from 'node:sqlite';
import { useWriteAheadLog } from '@approvals/sqlite';

/**
 * Schema migrations of the audit read model, applied in order; `PRAGMA user_version` is the
 * number already applied. Append new steps, never edit a released one. The read model is derived
 * from the ledger, so a step may also empty it and reset the checkpoint to force a rebuild.
 */
const migrations: readonly string[] = [
  `
  CREATE TABLE projection_checkpoint (
    id       INTEGER PRIMARY KEY CHECK (id = 1),
    position INTEGER NOT NULL
  ) STRICT;
  INSERT INTO projection_checkpoint (id, position) VALUES (1, 0);

  CREATE TABLE actions (
    action_id       TEXT    PRIMARY KEY,
    status          TEXT    NOT NULL,
    agent_id        TEXT    NOT NULL,
    on_behalf_of    TEXT    NOT NULL,
    action          TEXT    NOT NULL,
    resource_kind   TEXT    NOT NULL,
    resource_id     TEXT    NOT NULL,
    environment     TEXT    NOT NULL,
    requested_at    TEXT    NOT NULL,
    requested_at_ms INTEGER NOT NULL,
    decided_at      TEXT    NOT NULL,
    approved_by     TEXT    NOT NULL,
    voters          TEXT    NOT NULL,
    policy_version  TEXT    NOT NULL,
    reason          TEXT    NOT NULL
  ) STRICT;

  CREATE INDEX actions_newest_first ON actions (requested_at_ms DESC, action_id DESC);
  CREATE INDEX actions_by_agent ON actions (agent_id, requested_at_ms DESC, action_id DESC);
  CREATE INDEX actions_by_action ON actions (action, requested_at_ms DESC, action_id DESC);
  CREATE INDEX actions_by_status ON actions (status, requested_at_ms DESC, action_id DESC);
  CREATE INDEX actions_by_environment ON actions (environment, requested_at_ms DESC, action_id DESC);

  CREATE TABLE action_voters (
    approver_id TEXT NOT NULL,
    action_id   TEXT NOT NULL,
    PRIMARY KEY (approver_id, action_id)
  ) STRICT, WITHOUT ROWID;

  CREATE TABLE timeline (
    action_id   TEXT    NOT NULL,
    revision    INTEGER NOT NULL,
    position    INTEGER NOT NULL UNIQUE,
    event_id    TEXT    NOT NULL UNIQUE,
    type        TEXT    NOT NULL,
    occurred_at TEXT    NOT NULL,
    actor       TEXT    NOT NULL,
    summary     TEXT    NOT NULL,
    data_json   TEXT    NOT NULL,
    trace_id    TEXT    NOT NULL,
    hash        TEXT    NOT NULL,
    prev_hash   TEXT    NOT NULL,
    PRIMARY KEY (action_id, revision)
  ) STRICT;
  `,
];

/** The read-model schema version this build writes. */
export const READ_MODEL_SCHEMA_VERSION = migrations.length;

/** WAL lets the audit API read while the projector writes; NORMAL sync is enough for a rebuildable model. */
export function configureReadModelConnection(db: DatabaseSync, walAutoCheckpoint = true): void {
  useWriteAheadLog(db, { autoCheckpoint: walAutoCheckpoint });
  db.exec('PRAGMA synchronous = NORMAL');
}

/** Brings the schema up to {@link READ_MODEL_SCHEMA_VERSION}; safe to call from several processes at once. */
export function migrateReadModel(db: DatabaseSync, file: string): void {
  db.exec('BEGIN IMMEDIATE');
  try {
    const version = Number(db.prepare('PRAGMA user_version').get()?.['user_version'] ?? 0);
    if (version > READ_MODEL_SCHEMA_VERSION) {
      throw new Error(
        `audit read model ${file} has schema version ${version}, newer than this build supports (${READ_MODEL_SCHEMA_VERSION}); upgrade the application or delete the file to rebuild it from the ledger`,
      );
    }
    for (let next = version; next < READ_MODEL_SCHEMA_VERSION; next++) db.exec(migrations[next]!);
    if (version < READ_MODEL_SCHEMA_VERSION) db.exec(`PRAGMA user_version = ${READ_MODEL_SCHEMA_VERSION}`);
    db.exec('COMMIT');
  } catch (error) {
    if (db.isTransaction) db.exec('ROLLBACK');
    throw error;
  }
}

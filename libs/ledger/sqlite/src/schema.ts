import type { DatabaseSync } from 'node:sqlite';
import { useWriteAheadLog } from '@approvals/sqlite';

/**
 * Schema migrations, applied in order; the database's `PRAGMA user_version` is the number of
 * migrations already applied. Append new steps, never edit a released one.
 */
const migrations: readonly string[] = [
  `
  CREATE TABLE events (
    position    INTEGER PRIMARY KEY AUTOINCREMENT,
    stream_id   TEXT    NOT NULL,
    revision    INTEGER NOT NULL,
    event_id    TEXT    NOT NULL UNIQUE,
    type        TEXT    NOT NULL,
    data        TEXT    NOT NULL,
    metadata    TEXT    NOT NULL,
    hash        TEXT    NOT NULL,
    recorded_at TEXT    NOT NULL,
    UNIQUE (stream_id, revision)
  ) STRICT;

  CREATE TRIGGER events_append_only_update BEFORE UPDATE ON events
  BEGIN SELECT RAISE(ABORT, 'ledger events are append-only'); END;

  CREATE TRIGGER events_append_only_delete BEFORE DELETE ON events
  BEGIN SELECT RAISE(ABORT, 'ledger events are append-only'); END;

  CREATE TABLE checkpoints (
    name       TEXT    PRIMARY KEY,
    position   INTEGER NOT NULL,
    updated_at TEXT    NOT NULL
  ) STRICT;
  `,
  // The ledger log (I8): the Merkle tree over the events, the head of each stream it took, and
  // what its keeper found. See libs/application/src/ledger/ledger-log.ts.
  `
  CREATE TABLE log_state (
    id         INTEGER PRIMARY KEY CHECK (id = 1),
    size       INTEGER NOT NULL,
    position   INTEGER NOT NULL,
    frontier   TEXT    NOT NULL,
    updated_at TEXT    NOT NULL
  ) STRICT;

  CREATE TABLE log_nodes (
    height INTEGER NOT NULL,
    idx    INTEGER NOT NULL,
    hash   BLOB    NOT NULL,
    PRIMARY KEY (height, idx)
  ) STRICT, WITHOUT ROWID;

  CREATE TABLE log_stream_heads (
    stream_id TEXT    PRIMARY KEY,
    revision  INTEGER NOT NULL,
    hash      TEXT    NOT NULL,
    leaf      INTEGER NOT NULL
  ) STRICT, WITHOUT ROWID;

  CREATE TABLE log_findings (
    id        INTEGER PRIMARY KEY AUTOINCREMENT,
    kind      TEXT    NOT NULL,
    stream_id TEXT,
    revision  INTEGER,
    position  INTEGER,
    detail    TEXT    NOT NULL,
    found_at  TEXT    NOT NULL
  ) STRICT;
  `,
  // Signed checkpoints of the ledger log, as recorded (witnesses hold copies outside the database).
  `
  CREATE TABLE log_checkpoints (
    size       INTEGER PRIMARY KEY,
    root_hash  BLOB    NOT NULL,
    note       TEXT    NOT NULL,
    created_at TEXT    NOT NULL
  ) STRICT;
  `,
  // Each leaf's position, for a ledger whose positions have gaps (KurrentDB's $all) when this file
  // keeps its log; empty beside the events of this file, whose leaf i is at position i + 1.
  `
  CREATE TABLE log_leaves (
    leaf     INTEGER PRIMARY KEY,
    position INTEGER NOT NULL UNIQUE
  ) STRICT;
  `,
];

/** The schema version this build writes. */
export const LEDGER_SCHEMA_VERSION = migrations.length;

/**
 * `NORMAL` (default) in WAL mode survives a crash of the process but may lose the last commits on
 * an OS crash or power loss; `FULL` syncs the WAL on every commit. See ADR 002.
 */
export type SqliteSynchronous = 'NORMAL' | 'FULL';

/** Connection settings; WAL and the busy timeout make the file shareable between processes. */
export function configureConnection(db: DatabaseSync, synchronous: SqliteSynchronous, walAutoCheckpoint = true): void {
  if (synchronous !== 'NORMAL' && synchronous !== 'FULL') {
    throw new TypeError(`synchronous must be NORMAL or FULL, got ${String(synchronous)}`);
  }
  useWriteAheadLog(db, { autoCheckpoint: walAutoCheckpoint });
  db.exec(`PRAGMA synchronous = ${synchronous}`);
  db.exec('PRAGMA foreign_keys = ON');
}

/** Brings the schema up to {@link LEDGER_SCHEMA_VERSION}; safe to call from several processes at once. */
export function migrate(db: DatabaseSync, file: string): void {
  db.exec('BEGIN IMMEDIATE');
  try {
    const version = userVersion(db);
    if (version > LEDGER_SCHEMA_VERSION) {
      throw new Error(
        `ledger ${file} has schema version ${version}, newer than this build supports (${LEDGER_SCHEMA_VERSION}); upgrade the application`,
      );
    }
    for (let next = version; next < LEDGER_SCHEMA_VERSION; next++) db.exec(migrations[next]!);
    if (version < LEDGER_SCHEMA_VERSION) db.exec(`PRAGMA user_version = ${LEDGER_SCHEMA_VERSION}`);
    db.exec('COMMIT');
  } catch (error) {
    if (db.isTransaction) db.exec('ROLLBACK');
    throw error;
  }
}

function userVersion(db: DatabaseSync): number {
  const row = db.prepare('PRAGMA user_version').get();
  return Number(row?.['user_version'] ?? 0);
}

import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { SqliteCheckpointStore } from './sqlite-checkpoint-store';
import type { SqliteSynchronous } from './schema';
import { SqliteConnection } from './sqlite-connection';
import { SqliteEventStore, type SqliteEventStoreOptions } from './sqlite-event-store';
import { SqliteLogStore } from './sqlite-log-store';

/** File name of the ledger inside a data directory. */
export const LEDGER_FILE_NAME = 'ledger.sqlite';
/** The file that keeps the log of a KurrentDB ledger when no PostgreSQL is configured. */
export const LEDGER_LOG_FILE_NAME = 'ledger-log.sqlite';

/** Where the ledger file is, plus tuning; see the README of this folder. */
export type SqliteLedgerOptions = (
  | { /** Directory holding `ledger.sqlite`; created if missing. */ dataDir: string }
  | { /** Path of the database file (its directory is created if missing), or `:memory:`. */ file: string }
) &
  SqliteEventStoreOptions & {
    /** How long a write waits for another process's write lock before failing (default 5000 ms). */
    busyTimeoutMs?: number;
    /** SQLite `synchronous` setting: `NORMAL` (default) or `FULL` for power-loss durability. */
    synchronous?: SqliteSynchronous;
    /** False when a WalCheckpointer checkpoints this file in the background (default true). */
    walAutoCheckpoint?: boolean;
  };

/** An opened embedded ledger: the event store and the checkpoint store share one connection. */
export interface SqliteLedger {
  readonly events: SqliteEventStore;
  readonly checkpoints: SqliteCheckpointStore;
  /** The ledger log (Merkle tree and recorded stream heads) in the same file. */
  readonly log: SqliteLogStore;
  /** Absolute path of the database file, or `:memory:`. */
  readonly file: string;
  /** Stops subscriptions and closes the database; both stores reject afterwards. */
  close(): Promise<void>;
}

/** Opens (creating if needed) the embedded SQLite ledger and brings its schema up to date. */
export function openSqliteLedger(options: SqliteLedgerOptions): SqliteLedger {
  const file = resolveFile(options);
  if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true });
  const connection = SqliteConnection.open(file, {
    busyTimeoutMs: options.busyTimeoutMs ?? 5000,
    synchronous: options.synchronous ?? 'NORMAL',
    walAutoCheckpoint: options.walAutoCheckpoint ?? true,
  });
  const events = new SqliteEventStore(connection, options);
  const checkpoints = new SqliteCheckpointStore(connection, options.now);
  const log = new SqliteLogStore(connection, options.now);
  return { events, checkpoints, log, file, close: () => events.close() };
}

function resolveFile(options: SqliteLedgerOptions): string {
  if ('dataDir' in options) return resolve(options.dataDir, LEDGER_FILE_NAME);
  return options.file === ':memory:' ? ':memory:' : resolve(options.file);
}

import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { SqliteReadModelStore } from './sqlite-read-model-store';

/** File name of the audit read model inside a data directory. */
export const READ_MODEL_FILE_NAME = 'audit-read-model.sqlite';

export type SqliteReadModelOptions = (
  | { /** Path of the database file (its directory is created if missing), or `:memory:`. */ file: string }
  | { /** Directory holding `audit-read-model.sqlite`; created if missing. */ dataDir: string }
) & {
  /** How long a write waits for another connection's write lock before failing (default 5000 ms). */
  busyTimeoutMs?: number;
  /** False when a WalCheckpointer checkpoints this file in the background (default true). */
  walAutoCheckpoint?: boolean;
};

/** Opens (creating if needed) the embedded audit read model and brings its schema up to date. */
export function openSqliteReadModel(options: SqliteReadModelOptions): SqliteReadModelStore {
  const file = 'dataDir' in options ? resolve(options.dataDir, READ_MODEL_FILE_NAME) : options.file === ':memory:' ? ':memory:' : resolve(options.file);
  if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true });
  return SqliteReadModelStore.open(file, options.busyTimeoutMs ?? 5000, options.walAutoCheckpoint ?? true);
}

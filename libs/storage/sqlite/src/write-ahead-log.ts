import type { DatabaseSync } from 'node:sqlite';

/** What a write-ahead log is cut back to whenever it starts over (`PRAGMA journal_size_limit`). */
export const WAL_RESET_SIZE_LIMIT_BYTES = 16 * 2 ** 20;

/**
 * Write-ahead logging as every SQLite file of ours uses it: readers never block the writer, and a
 * log that starts over is cut back to WAL_RESET_SIZE_LIMIT_BYTES rather than kept at its largest.
 * With `autoCheckpoint` false the commit never checkpoints: a WalCheckpointer does it from a worker
 * thread, and keeps the log under its bound.
 */
export function useWriteAheadLog(db: DatabaseSync, { autoCheckpoint }: { autoCheckpoint: boolean }): void {
  db.exec('PRAGMA journal_mode = WAL');
  db.exec(`PRAGMA journal_size_limit = ${WAL_RESET_SIZE_LIMIT_BYTES}`);
  if (!autoCheckpoint) db.exec('PRAGMA wal_autocheckpoint = 0');
}

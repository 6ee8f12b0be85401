import type { AppConfig } from '@approvals/config';
import type { Logger } from '@approvals/telemetry';
import { WalCheckpointer } from '@approvals/sqlite';

/** Checkpoints the SQLite files a process writes, as configured, with its warnings in the service's log. */
export function checkpointSqliteFiles(files: string[], config: AppConfig, logger: Logger): WalCheckpointer {
  return WalCheckpointer.start(files, {
    intervalMs: config.sqliteCheckpointMs,
    maxWalBytes: config.sqliteWalMaxBytes,
    onError: (err) => logger.warn({ err }, 'background WAL checkpoint failed; will retry'),
    onOverBound: (file, walBytes, maxWalBytes) =>
      logger.warn(
        { file, walBytes, maxWalBytes },
        `the write-ahead log of ${file} is over its bound (APPROVALS_SQLITE_WAL_MAX_MB): readers keep it from being truncated; will retry`,
      ),
  });
}

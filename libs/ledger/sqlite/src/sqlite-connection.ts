import { DatabaseSync, type StatementSync } from 'node:sqlite';
import { LedgerClosedError } from '@approvals/ledger-core';
import { configureConnection, migrate, type SqliteSynchronous } from './schema';

/** One `node:sqlite` connection to a ledger file, shared by the event and checkpoint stores. */
export class SqliteConnection {
  private closed = false;
  private readonly begin: StatementSync;
  private readonly commit: StatementSync;
  private readonly rollback: StatementSync;

  private constructor(
    readonly db: DatabaseSync,
    /** The database file, or `:memory:`. */
    readonly file: string,
  ) {
    this.begin = db.prepare('BEGIN IMMEDIATE');
    this.commit = db.prepare('COMMIT');
    this.rollback = db.prepare('ROLLBACK');
  }

  /** Opens the file (created if missing), configures it and migrates the schema. */
  static open(file: string, options: { busyTimeoutMs: number; synchronous: SqliteSynchronous; walAutoCheckpoint?: boolean }): SqliteConnection {
    const db = new DatabaseSync(file, { timeout: options.busyTimeoutMs });
    try {
      configureConnection(db, options.synchronous, options.walAutoCheckpoint ?? true);
      migrate(db, file);
    } catch (error) {
      db.close();
      throw error;
    }
    return new SqliteConnection(db, file);
  }

  assertOpen(): void {
    if (this.closed) throw new LedgerClosedError(this.file);
  }

  /** Runs `work` in a write transaction; BEGIN IMMEDIATE takes the write lock up front. */
  writeTransaction<T>(work: () => T): T {
    this.begin.run();
    try {
      const result = work();
      this.commit.run();
      return result;
    } catch (error) {
      if (this.db.isTransaction) this.rollback.run();
      throw error;
    }
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.db.close();
  }
}

import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { DatabaseSync, type StatementSync } from 'node:sqlite';
import type { PendingApproval, PendingApprovalStore } from '@approvals/application';
import { useWriteAheadLog } from '@approvals/sqlite';

/**
 * The notifier's pending approvals in a SQLite file of its own (embedded mode: one process).
 * Statements are synchronous, so a read and the write after it are never interleaved with
 * another change; the transaction keeps the pair atomic on disk too.
 */
export class SqlitePendingApprovalStore implements PendingApprovalStore {
  private readonly db: DatabaseSync;
  private readonly getStmt: StatementSync;
  private readonly addStmt: StatementSync;
  private readonly putStmt: StatementSync;
  private readonly removeStmt: StatementSync;
  private readonly listStmt: StatementSync;

  constructor(file: string, options: { walAutoCheckpoint?: boolean } = {}) {
    if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true });
    this.db = new DatabaseSync(file);
    useWriteAheadLog(this.db, { autoCheckpoint: options.walAutoCheckpoint ?? true });
    this.db.exec(`
      PRAGMA synchronous = NORMAL;
      PRAGMA busy_timeout = 5000;
      CREATE TABLE IF NOT EXISTS pending_approvals (
        action_id TEXT PRIMARY KEY,
        requested_at TEXT NOT NULL,
        doc TEXT NOT NULL
      );
      CREATE INDEX IF NOT EXISTS pending_by_time ON pending_approvals (requested_at, action_id);
    `);
    this.getStmt = this.db.prepare('SELECT doc FROM pending_approvals WHERE action_id = ?');
    this.addStmt = this.db.prepare('INSERT INTO pending_approvals (action_id, requested_at, doc) VALUES (?, ?, ?) ON CONFLICT(action_id) DO NOTHING');
    this.putStmt = this.db.prepare(
      'INSERT INTO pending_approvals (action_id, requested_at, doc) VALUES (?, ?, ?) ON CONFLICT(action_id) DO UPDATE SET requested_at = excluded.requested_at, doc = excluded.doc',
    );
    this.removeStmt = this.db.prepare('DELETE FROM pending_approvals WHERE action_id = ?');
    this.listStmt = this.db.prepare('SELECT doc FROM pending_approvals ORDER BY requested_at, action_id LIMIT ?');
  }

  async get(actionId: string): Promise<PendingApproval | undefined> {
    const row = this.getStmt.get(actionId) as { doc: string } | undefined;
    return row ? (JSON.parse(row.doc) as PendingApproval) : undefined;
  }

  async add(item: PendingApproval): Promise<PendingApproval> {
    this.addStmt.run(item.actionId, item.requestedAt, JSON.stringify(item));
    return (await this.get(item.actionId))!;
  }

  async replace(item: PendingApproval): Promise<void> {
    this.putStmt.run(item.actionId, item.requestedAt, JSON.stringify(item));
  }

  async update(actionId: string, change: (item: PendingApproval) => PendingApproval | undefined): Promise<PendingApproval | undefined> {
    this.db.exec('BEGIN IMMEDIATE');
    try {
      const row = this.getStmt.get(actionId) as { doc: string } | undefined;
      const changed = row ? change(JSON.parse(row.doc) as PendingApproval) : undefined;
      if (changed) this.putStmt.run(actionId, changed.requestedAt, JSON.stringify({ ...changed, actionId }));
      this.db.exec('COMMIT');
      return changed && { ...changed, actionId };
    } catch (error) {
      this.db.exec('ROLLBACK');
      throw error;
    }
  }

  async remove(actionId: string): Promise<void> {
    this.removeStmt.run(actionId);
  }

  async list(limit: number): Promise<PendingApproval[]> {
    return (this.listStmt.all(limit) as { doc: string }[]).map((row) => JSON.parse(row.doc) as PendingApproval);
  }

  close(): void {
    this.db.close();
  }
}

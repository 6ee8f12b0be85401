import { DatabaseSync, type SQLInputValue, type StatementSync } from 'node:sqlite';
import {
  applyActionChange,
  type ActionRecord,
  type ActionSearchCriteria,
  type ProjectedEvent,
  type ReadModelStore,
  type StoredTimeline,
  type TimelineRecord,
} from '@approvals/application';
import { configureReadModelConnection, migrateReadModel } from './read-model-schema';
import { ReadModelClosedError } from './read-model-closed.error';
import { ACTION_COLUMNS, TIMELINE_COLUMNS, actionValues, timelineValues, toActionRecord, toTimelineRecord } from './read-model-rows';

export { ReadModelClosedError };

/**
 * The embedded audit read model: a {@link ReadModelStore} on one SQLite file through
 * `node:sqlite`. One connection, statements prepared once. Applied events are group-committed:
 * every `apply` in the same turn of the event loop shares one transaction (each in its own
 * savepoint), committed on the next turn. The checkpoint is written in that same transaction, so
 * a crash before the commit loses events and checkpoint together and they are projected again.
 */
export class SqliteReadModelStore implements ReadModelStore {
  private closed = false;
  private groupOpen = false;
  /** The checkpoint as of the open group (written to the database once, when the group commits). */
  private groupCheckpoint: bigint | undefined;
  private readonly savepoint: StatementSync;
  private readonly release: StatementSync;
  private readonly rollbackToSavepoint: StatementSync;
  private readonly selectCheckpoint: StatementSync;
  private readonly updateCheckpoint: StatementSync;
  private readonly insertEntry: StatementSync;
  private readonly selectAction: StatementSync;
  private readonly upsertAction: StatementSync;
  private readonly insertVoter: StatementSync;
  private readonly selectEntries: StatementSync;
  private readonly searches = new Map<string, StatementSync>();

  constructor(
    private readonly db: DatabaseSync,
    /** The database file, or `:memory:`. */
    readonly file: string,
  ) {
    const prepare = (sql: string): StatementSync => db.prepare(sql, { readBigInts: true });
    this.savepoint = prepare('SAVEPOINT apply_event');
    this.release = prepare('RELEASE apply_event');
    this.rollbackToSavepoint = prepare('ROLLBACK TO apply_event');
    this.selectCheckpoint = prepare('SELECT position FROM projection_checkpoint WHERE id = 1');
    this.updateCheckpoint = prepare('UPDATE projection_checkpoint SET position = ? WHERE id = 1');
    this.insertEntry = prepare(
      `INSERT INTO timeline (${TIMELINE_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
    );
    this.selectAction = prepare(`SELECT ${ACTION_COLUMNS} FROM actions WHERE action_id = ?`);
    this.upsertAction = prepare(
      `INSERT INTO actions (${ACTION_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (action_id) DO UPDATE SET
         status = excluded.status, decided_at = excluded.decided_at, approved_by = excluded.approved_by,
         voters = excluded.voters, policy_version = excluded.policy_version, reason = excluded.reason`,
    );
    this.insertVoter = prepare('INSERT INTO action_voters (approver_id, action_id) VALUES (?, ?) ON CONFLICT DO NOTHING');
    this.selectEntries = prepare(`SELECT ${TIMELINE_COLUMNS} FROM timeline WHERE action_id = ? ORDER BY revision`);
  }

  /** Opens `file` (created if missing), configures WAL and migrates the schema. */
  static open(file: string, busyTimeoutMs = 5000, walAutoCheckpoint = true): SqliteReadModelStore {
    const db = new DatabaseSync(file, { timeout: busyTimeoutMs });
    try {
      configureReadModelConnection(db, walAutoCheckpoint);
      migrateReadModel(db, file);
    } catch (error) {
      db.close();
      throw error;
    }
    return new SqliteReadModelStore(db, file);
  }

  async loadCheckpoint(): Promise<bigint> {
    this.assertOpen();
    return this.groupCheckpoint ?? this.checkpoint();
  }

  async apply(event: ProjectedEvent): Promise<'applied' | 'skipped'> {
    this.assertOpen();
    if (event.position <= (this.groupCheckpoint ?? this.checkpoint())) return 'skipped';
    this.inGroupCommit(() => {
      this.insertTimelineEntry(event.entry);
      if (event.change) {
        const current = this.readAction(event.change.actionId);
        const next = applyActionChange(current, event.change);
        if (next && next !== current) this.writeAction(next);
      }
    });
    this.groupCheckpoint = event.position;
    return 'applied';
  }

  async reset(): Promise<void> {
    this.assertOpen();
    this.writeTransaction(() => {
      this.db.exec('DELETE FROM timeline; DELETE FROM action_voters; DELETE FROM actions;');
      this.updateCheckpoint.run(0n);
    });
  }

  async getTimeline(actionId: string): Promise<StoredTimeline | undefined> {
    this.assertOpen();
    const action = this.readAction(actionId);
    const entries = this.selectEntries.all(actionId).map(toTimelineRecord);
    return action === undefined && entries.length === 0 ? undefined : { action, entries };
  }

  async searchActions(criteria: ActionSearchCriteria): Promise<ActionRecord[]> {
    this.assertOpen();
    const conditions: string[] = [];
    const params: SQLInputValue[] = [];
    const where = (condition: string, ...values: SQLInputValue[]): void => {
      conditions.push(condition);
      params.push(...values);
    };
    if (criteria.agentId !== undefined) where('agent_id = ?', criteria.agentId);
    if (criteria.action !== undefined) where('action = ?', criteria.action);
    if (criteria.status !== undefined) where('status = ?', criteria.status);
    if (criteria.environment !== undefined) where('environment = ?', criteria.environment);
    if (criteria.approverId !== undefined) {
      where('action_id IN (SELECT action_id FROM action_voters WHERE approver_id = ?)', criteria.approverId);
    }
    if (criteria.requestedFromMs !== undefined) where('requested_at_ms >= ?', criteria.requestedFromMs);
    if (criteria.requestedBeforeMs !== undefined) where('requested_at_ms < ?', criteria.requestedBeforeMs);
    if (criteria.after !== undefined) where('(requested_at_ms, action_id) < (?, ?)', criteria.after.requestedAtMs, criteria.after.actionId);
    const sql = `SELECT ${ACTION_COLUMNS} FROM actions
      ${conditions.length > 0 ? `WHERE ${conditions.join(' AND ')}` : ''}
      ORDER BY requested_at_ms DESC, action_id DESC LIMIT ?`;
    return this.searchStatement(sql)
      .all(...params, criteria.limit)
      .map(toActionRecord);
  }

  /** Closes the database; every later call throws {@link ReadModelClosedError}. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.commitGroup();
    this.db.close();
  }

  private checkpoint(): bigint {
    return this.selectCheckpoint.get()?.['position'] as bigint;
  }

  private insertTimelineEntry(entry: TimelineRecord): void {
    this.insertEntry.run(...(timelineValues(entry, (position) => position) as SQLInputValue[]));
  }

  private readAction(actionId: string): ActionRecord | undefined {
    const row = this.selectAction.get(actionId);
    return row === undefined ? undefined : toActionRecord(row);
  }

  private writeAction(action: ActionRecord): void {
    this.upsertAction.run(...(actionValues(action) as SQLInputValue[]));
    for (const voter of action.voters) this.insertVoter.run(voter, action.actionId);
  }

  /** One statement per combination of filters (at most 2^8), prepared on first use. */
  private searchStatement(sql: string): StatementSync {
    let statement = this.searches.get(sql);
    if (!statement) {
      statement = this.db.prepare(sql, { readBigInts: true });
      this.searches.set(sql, statement);
    }
    return statement;
  }

  private inGroupCommit<T>(work: () => T): T {
    if (!this.groupOpen) {
      this.db.exec('BEGIN IMMEDIATE');
      this.groupOpen = true;
      setImmediate(() => this.commitGroup());
    }
    this.savepoint.run();
    try {
      const result = work();
      this.release.run();
      return result;
    } catch (error) {
      this.rollbackToSavepoint.run();
      this.release.run();
      throw error;
    }
  }

  /** Makes every applied event durable now instead of on the next turn of the event loop. */
  async flush(): Promise<void> {
    this.assertOpen();
    this.commitGroup();
  }

  /** Commits the open group of applied events, if any. */
  private commitGroup(): void {
    if (!this.groupOpen) return;
    this.groupOpen = false;
    // The checkpoint commits with the events it covers: a crash loses both or neither.
    if (this.groupCheckpoint !== undefined) this.updateCheckpoint.run(this.groupCheckpoint);
    this.groupCheckpoint = undefined;
    this.db.exec('COMMIT');
  }

  private writeTransaction<T>(work: () => T): T {
    this.commitGroup();
    this.db.exec('BEGIN IMMEDIATE');
    try {
      const result = work();
      this.db.exec('COMMIT');
      return result;
    } catch (error) {
      if (this.db.isTransaction) this.db.exec('ROLLBACK');
      throw error;
    }
  }

  private assertOpen(): void {
    if (this.closed) throw new ReadModelClosedError(this.file);
  }
}

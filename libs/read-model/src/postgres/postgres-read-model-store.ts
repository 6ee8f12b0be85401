import type { Pool, PoolClient, QueryConfig } from 'pg';
import {
  applyActionChange,
  StoreUnavailableError,
  type ActionRecord,
  type ActionSearchCriteria,
  type ProjectedEvent,
  type ReadModelStore,
  type StoredTimeline,
  type TimelineRecord,
} from '@approvals/application';
import { asStoreError, catchConnectionErrors, isConnectionError, queryOrUnavailable } from '@approvals/postgres';
import { quoteIdent } from '@approvals/postgres';
import { ACTION_COLUMNS, TIMELINE_COLUMNS, actionValues, timelineValues, toActionRecord, toTimelineRecord } from '../read-model-rows';
import { ReadModelClosedError } from '../read-model-closed.error';

type Row = Record<string, unknown>;

/** The same columns, the position as text so no precision is lost on the way through JSON. */
const TIMELINE_JSON_COLUMNS = TIMELINE_COLUMNS.replace(' position,', ' position::text AS position,');

/** Most events one transaction carries before it commits even though more are waiting. */
const MAX_GROUP_EVENTS = 500;

/** The open transaction of applied events, on a connection of its own. */
interface Group {
  client: PoolClient;
  /** Timeline entries applied in this group, written when it commits. */
  entries: TimelineRecord[];
  /** Actions as this group leaves them (read once each); `dirty` ones are written when it commits. */
  actions: Map<string, ActionRecord | undefined>;
  dirty: Set<string>;
  /** Stops ignoring the client's connection errors; called before it goes back to the pool. */
  detach: () => void;
  /** The checkpoint as of the group (written once, when it commits). */
  checkpoint: bigint;
  events: number;
}

/**
 * The audit read model on PostgreSQL, for distributed mode: the same tables, queries and
 * semantics as {@link SqliteReadModelStore}. Applied events are group-committed: consecutive
 * `apply` calls share one transaction (each in its own savepoint), committed as soon as no
 * further `apply` is waiting on the next turn of the event loop. The checkpoint is written in that
 * same transaction, so a crash before the commit loses events and checkpoint together and they
 * are projected again. Reads commit the open group first, so this store always reads its writes.
 */
export class PostgresReadModelStore implements ReadModelStore {
  private readonly s: string;
  private closed = false;
  private group: Group | undefined;
  /** Writes run one at a time, in call order, on the group's connection. */
  private queue: Promise<unknown> = Promise.resolve();
  /** `apply` calls queued or running: while one is, the group stays open for it. */
  private waiting = 0;
  private commitScheduled = false;
  /** Why the last group was lost; `apply` refuses until the checkpoint is loaded again. */
  private lost: Error | undefined;

  constructor(
    private readonly pool: Pool,
    schema: string,
    /** Where it is, without the password (for errors). */
    readonly location: string,
    private readonly onClose: () => Promise<void> = () => pool.end(),
  ) {
    this.s = quoteIdent(schema);
  }

  async loadCheckpoint(): Promise<bigint> {
    this.assertOpen();
    return this.guard(() => this.exclusive(async () => {
      if (this.group) return this.group.checkpoint;
      // Whoever loads the checkpoint resumes from what is durable, so a lost group leaves no gap.
      this.lost = undefined;
      return this.durableCheckpoint(this.pool);
    }));
  }

  async apply(event: ProjectedEvent): Promise<'applied' | 'skipped'> {
    this.assertOpen();
    this.waiting++;
    try {
      return await this.guard(() => this.exclusive(() => this.applyNow(event)));
    } finally {
      this.waiting--;
      this.scheduleCommit();
    }
  }

  async reset(): Promise<void> {
    this.assertOpen();
    await this.guard(() => this.exclusive(async () => {
      await this.commitGroup();
      await this.transaction(async (client) => {
        // The checkpoint row lock first: another writer's group finishes before the tables empty.
        await client.query(`SELECT position FROM ${this.s}.projection_checkpoint WHERE id = 1 FOR UPDATE`);
        await client.query(`TRUNCATE ${this.s}.timeline, ${this.s}.action_voters, ${this.s}.actions`);
        await client.query(`UPDATE ${this.s}.projection_checkpoint SET position = 0 WHERE id = 1`);
      });
      this.lost = undefined;
    }));
  }

  async getTimeline(actionId: string): Promise<StoredTimeline | undefined> {
    this.assertOpen();
    await this.guard(() => this.flushIfWriting());
    // One statement, so the action and its entries come from one snapshot.
    const { rows } = await queryOrUnavailable<{ action: Row | null; entries: Row[] }>(
      this.pool,
      this.location,
      `SELECT
         (SELECT row_to_json(a) FROM (SELECT ${ACTION_COLUMNS} FROM ${this.s}.actions WHERE action_id = $1) a) AS action,
         COALESCE((SELECT json_agg(t ORDER BY t.revision) FROM (
           SELECT ${TIMELINE_JSON_COLUMNS} FROM ${this.s}.timeline WHERE action_id = $1
         ) t), '[]') AS entries`,
      [actionId],
    );
    const row = rows[0]!;
    const action = row.action === null ? undefined : toActionRecord(row.action);
    const entries = row.entries.map(toTimelineRecord);
    return action === undefined && entries.length === 0 ? undefined : { action, entries };
  }

  async searchActions(criteria: ActionSearchCriteria): Promise<ActionRecord[]> {
    this.assertOpen();
    await this.guard(() => this.flushIfWriting());
    const conditions: string[] = [];
    const params: (string | number)[] = [];
    const where = (condition: (...placeholders: string[]) => string, ...values: (string | number)[]): void => {
      const placeholders = values.map((value) => `$${params.push(value)}`);
      conditions.push(condition(...placeholders));
    };
    if (criteria.agentId !== undefined) where((p) => `agent_id = ${p}`, criteria.agentId);
    if (criteria.action !== undefined) where((p) => `action = ${p}`, criteria.action);
    if (criteria.status !== undefined) where((p) => `status = ${p}`, criteria.status);
    if (criteria.environment !== undefined) where((p) => `environment = ${p}`, criteria.environment);
    if (criteria.approverId !== undefined) {
      where((p) => `action_id IN (SELECT action_id FROM ${this.s}.action_voters WHERE approver_id = ${p})`, criteria.approverId);
    }
    if (criteria.requestedFromMs !== undefined) where((p) => `requested_at_ms >= ${p}`, criteria.requestedFromMs);
    if (criteria.requestedBeforeMs !== undefined) where((p) => `requested_at_ms < ${p}`, criteria.requestedBeforeMs);
    if (criteria.after !== undefined) {
      where((ms, id) => `(requested_at_ms, action_id) < (${ms}, ${id})`, criteria.after.requestedAtMs, criteria.after.actionId);
    }
    const limit = `$${params.push(criteria.limit)}`;
    const { rows } = await queryOrUnavailable<Row>(
      this.pool,
      this.location,
      `SELECT ${ACTION_COLUMNS} FROM ${this.s}.actions
       ${conditions.length > 0 ? `WHERE ${conditions.join(' AND ')}` : ''}
       ORDER BY requested_at_ms DESC, action_id DESC LIMIT ${limit}`,
      params,
    );
    return rows.map(toActionRecord);
  }

  /** Makes every applied event durable now instead of when the projector next pauses. */
  async flush(): Promise<void> {
    this.assertOpen();
    await this.exclusive(() => this.commitGroup());
    if (this.lost) throw this.lost;
  }

  /** Runs a public operation; a server that cannot be reached surfaces as StoreUnavailableError. */
  private async guard<T>(work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (error) {
      throw asStoreError(error, this.location);
    }
  }

  /** The error kept for a group that could not commit: unavailable when the connection was the cause. */
  private lostBecause(message: string, error: unknown): Error {
    return isConnectionError(error) ? new StoreUnavailableError(message, { cause: error }) : new Error(message, { cause: error });
  }

  /** Commits the open group, then closes the pool; every later call throws {@link ReadModelClosedError}. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.exclusive(() => this.commitGroup());
    await this.onClose();
  }

  /**
   * Folds the event into the open group in memory; its rows are written when the group commits
   * (see commitGroup). An action is read from the table at most once per group: the group holds
   * the checkpoint row lock, so nobody else writes the read model meanwhile.
   */
  private async applyNow(event: ProjectedEvent): Promise<'applied' | 'skipped'> {
    if (this.lost) {
      const message = `audit read model ${this.location}: the last applied events were not committed (${this.lost.message}); load the checkpoint again and project from it`;
      throw this.lost instanceof StoreUnavailableError ? new StoreUnavailableError(message, { cause: this.lost }) : new Error(message, { cause: this.lost });
    }
    const group = this.group ?? (await this.openGroup());
    if (event.position <= group.checkpoint) return 'skipped';
    if (event.change) {
      const { actionId } = event.change;
      let current: ActionRecord | undefined;
      if (group.actions.has(actionId)) current = group.actions.get(actionId);
      else {
        try {
          current = await this.readAction(group.client, actionId);
        } catch (error) {
          this.abandonGroup(error); // a failed statement aborts the whole transaction
          throw error;
        }
        group.actions.set(actionId, current);
      }
      const next = applyActionChange(current, event.change);
      if (next && next !== current) {
        group.actions.set(actionId, next);
        group.dirty.add(actionId);
      }
    }
    group.entries.push(event.entry);
    group.checkpoint = event.position;
    group.events++;
    return 'applied';
  }

  private async openGroup(): Promise<Group> {
    const client = await this.pool.connect();
    const detach = catchConnectionErrors(client);
    try {
      await client.query('BEGIN');
      // Locking the checkpoint row makes this group the read model's only writer until it commits,
      // so two projectors on one read model never interleave (the second then skips what is done).
      const checkpoint = await this.durableCheckpoint(client, ' FOR UPDATE');
      this.group = { client, detach, checkpoint, events: 0, entries: [], actions: new Map(), dirty: new Set() };
      return this.group;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      detach();
      client.release(error as Error);
      throw error;
    }
  }

  /** Commits once the projector pauses (no `apply` waiting on the next turn) or the group is full. */
  private scheduleCommit(): void {
    if (this.commitScheduled || !this.group) return;
    this.commitScheduled = true;
    setImmediate(() => {
      this.commitScheduled = false;
      // The waiting `apply` schedules the next look once it has run.
      if (this.waiting > 0 && (this.group?.events ?? 0) < MAX_GROUP_EVENTS) return;
      // A failure is kept in `lost` and reported by the next `apply` or `flush`.
      this.exclusive(() => this.commitGroup()).catch(() => undefined);
    });
  }

  /** Commits the open group of applied events, if any; on failure the group is lost (see `lost`). */
  private async commitGroup(): Promise<void> {
    const group = this.group;
    if (!group) return;
    this.group = undefined;
    try {
      await this.writeGroup(group);
      // The checkpoint commits with the events it covers: a crash loses both or neither.
      await group.client.query(
        this.named('read-model-save-checkpoint', `UPDATE ${this.s}.projection_checkpoint SET position = $1 WHERE id = 1`, [group.checkpoint.toString()]),
      );
      await group.client.query('COMMIT');
      group.detach();
      group.client.release();
    } catch (error) {
      this.lost = this.lostBecause(`cannot commit applied events to the audit read model ${this.location}: ${(error as Error).message}`, error);
      await group.client.query('ROLLBACK').catch(() => undefined);
      group.detach();
      group.client.release(error as Error);
    }
  }

  private abandonGroup(error: unknown): void {
    const group = this.group;
    if (!group) return;
    this.group = undefined;
    const message = `the transaction of applied events on the audit read model ${this.location} failed: ${(error as Error).message}`;
    this.lost = this.lostBecause(message, error);
    group.detach();
    group.client.release(error as Error);
  }

  /**
   * Read-your-writes for queries: waits for every write queued before (a group already committing
   * has left `this.group`, so testing for an open group alone would read before its commit lands).
   */
  private async flushIfWriting(): Promise<void> {
    await this.exclusive(() => this.commitGroup());
  }

  private async durableCheckpoint(client: Pool | PoolClient, lock = ''): Promise<bigint> {
    const { rows } = await client.query<{ position: string }>(`SELECT position FROM ${this.s}.projection_checkpoint WHERE id = 1${lock}`);
    return BigInt(rows[0]!.position);
  }

  private async readAction(client: PoolClient, actionId: string): Promise<ActionRecord | undefined> {
    const { rows } = await client.query<Row>(
      this.named('read-model-select-action', `SELECT ${ACTION_COLUMNS} FROM ${this.s}.actions WHERE action_id = $1`, [actionId]),
    );
    return rows[0] === undefined ? undefined : toActionRecord(rows[0]);
  }

  /** The group's rows, a statement per table whatever the number of events (unnest of column arrays). */
  private async writeGroup(group: Group): Promise<void> {
    const { client } = group;
    if (group.entries.length > 0) {
      const columns = transpose(group.entries.map((entry) => timelineValues(entry, (position) => position.toString())), 12);
      await client.query(
        `INSERT INTO ${this.s}.timeline (${TIMELINE_COLUMNS})
         SELECT * FROM unnest($1::text[], $2::integer[], $3::bigint[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[], $10::text[], $11::text[], $12::text[])
         ON CONFLICT DO NOTHING`,
        columns,
      );
    }
    const dirty = [...group.dirty].map((id) => group.actions.get(id)!);
    if (dirty.length === 0) return;
    await client.query(
      `INSERT INTO ${this.s}.actions (${ACTION_COLUMNS})
       SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[], $10::bigint[], $11::text[], $12::text[], $13::text[], $14::text[], $15::text[])
       ON CONFLICT (action_id) DO UPDATE SET
         status = excluded.status, decided_at = excluded.decided_at, approved_by = excluded.approved_by,
         voters = excluded.voters, policy_version = excluded.policy_version, reason = excluded.reason`,
      transpose(dirty.map(actionValues), 15),
    );
    const voters = dirty.flatMap((action) => action.voters.map((voter) => [voter, action.actionId]));
    if (voters.length > 0) {
      await client.query(`INSERT INTO ${this.s}.action_voters (approver_id, action_id) SELECT * FROM unnest($1::text[], $2::text[]) ON CONFLICT DO NOTHING`, transpose(voters, 2));
    }
  }

  /** A statement prepared once per connection (the pool is this store's own, so names cannot clash). */
  private named(name: string, text: string, values: unknown[]): QueryConfig {
    return { name, text, values };
  }

  /** Runs `work` after every write queued before it. */
  private exclusive<T>(work: () => Promise<T>): Promise<T> {
    const next = this.queue.then(work);
    this.queue = next.catch(() => undefined);
    return next;
  }

  private async transaction(work: (client: PoolClient) => Promise<void>): Promise<void> {
    const client = await this.pool.connect();
    const detach = catchConnectionErrors(client);
    try {
      await client.query('BEGIN');
      await work(client);
      await client.query('COMMIT');
      detach();
      client.release();
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      detach();
      client.release(error as Error);
      throw error;
    }
  }

  private assertOpen(): void {
    if (this.closed) throw new ReadModelClosedError(this.location);
  }
}

/** Rows of values as one array per column, for `unnest`. */
function transpose(rows: unknown[][], width: number): unknown[][] {
  const columns: unknown[][] = Array.from({ length: width }, () => []);
  for (const row of rows) row.forEach((value, i) => columns[i]!.push(value));
  return columns;
}

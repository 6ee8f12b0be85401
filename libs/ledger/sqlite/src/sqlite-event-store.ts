import type { SQLOutputValue, StatementSync } from 'node:sqlite';
import {
  type AppendResult,
  type EventHandler,
  type EventMetadata,
  type EventStore,
  type ExpectedRevision,
  type NewEvent,
  type RawRecordedEvent,
  type ReadAllOptions,
  type ReadStreamOptions,
  type RecordedEvent,
  type SubscribeOptions,
  type Subscription,
} from '@approvals/application';
import type { GlobalLogPage } from '@approvals/ledger-core';
import { RecentAppends, StoreSubscriptions, chainEvent, checkExpectedRevision, judgeRetry, toLimit, validateAppend } from '@approvals/ledger-core';
import type { SqliteConnection } from './sqlite-connection';
import { COLUMNS, rawEventOfRow } from './sqlite-raw-events';

/** Tuning of {@link SqliteEventStore}; every field has a default. */
export interface SqliteEventStoreOptions {
  /** How often idle subscriptions re-read, to see appends by other processes (default 250 ms). */
  pollIntervalMs?: number;
  /** Events read per page while a subscription catches up (default 500). */
  pageSize?: number;
  /** Clock for `recorded_at` and the default `occurredAt` (default: system clock). */
  now?: () => Date;
}

type Row = Record<string, SQLOutputValue>;


/**
 * The embedded ledger: an {@link EventStore} on one SQLite file through `node:sqlite`. Work is
 * synchronous inside (one connection, statements prepared once), the API async as the port says.
 */
export class SqliteEventStore implements EventStore {
  private readonly now: () => Date;
  private readonly live: StoreSubscriptions;
  /** Rows this process appended most recently, for its live subscribers (see readPage). */
  private readonly recent = new RecentAppends<Row>((row) => row['position'] as bigint);

  private readonly selectStreamHead: StatementSync;
  private readonly selectByEventId: StatementSync;
  private readonly insertEvent: StatementSync;
  private readonly readForwards: StatementSync;
  private readonly readBackwards: StatementSync;
  private readonly readAllAfter: StatementSync;
  /** As readAllAfter, rows as arrays (no object per row: verification reads millions). */
  private readonly readRawAfter: StatementSync;
  private readonly readAllUpTo: StatementSync;
  private readonly readPrefixUpTo: StatementSync;
  private readonly selectHead: StatementSync;

  constructor(
    private readonly connection: SqliteConnection,
    options: SqliteEventStoreOptions = {},
  ) {
    this.now = options.now ?? (() => new Date());
    this.live = new StoreSubscriptions(
      { head: async () => this.head(), readPage: async (after, streamPrefix, maxCount) => this.readPage(after, streamPrefix, maxCount) },
      { pollIntervalMs: options.pollIntervalMs ?? 250, pageSize: options.pageSize ?? 500, location: connection.file, assertConnected: () => connection.assertOpen() },
    );

    const prepare = (sql: string): StatementSync => connection.db.prepare(sql, { readBigInts: true });
    this.selectStreamHead = prepare('SELECT revision, hash FROM events WHERE stream_id = ? ORDER BY revision DESC LIMIT 1');
    this.selectByEventId = prepare('SELECT stream_id, revision, position FROM events WHERE event_id = ?');
    this.insertEvent = prepare(
      `INSERT INTO events (stream_id, revision, event_id, type, data, metadata, hash, recorded_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    this.readForwards = prepare(
      `SELECT ${COLUMNS} FROM events WHERE stream_id = ? AND revision >= ? ORDER BY revision ASC LIMIT ?`,
    );
    this.readBackwards = prepare(
      `SELECT ${COLUMNS} FROM events WHERE stream_id = ? AND revision <= ? ORDER BY revision DESC LIMIT ?`,
    );
    this.readAllAfter = prepare(`SELECT ${COLUMNS} FROM events WHERE position > ? ORDER BY position LIMIT ?`);
    this.readRawAfter = prepare(`SELECT ${COLUMNS} FROM events WHERE position > ? ORDER BY position LIMIT ?`);
    this.readRawAfter.setReturnArrays(true);
    this.readAllUpTo = prepare(
      `SELECT ${COLUMNS} FROM events WHERE position > ? AND position <= ? ORDER BY position LIMIT ?`,
    );
    this.readPrefixUpTo = prepare(
      `SELECT ${COLUMNS} FROM events
       WHERE position > ? AND position <= ? AND instr(stream_id, ?) = 1 ORDER BY position LIMIT ?`,
    );
    this.selectHead = prepare('SELECT coalesce(max(position), 0) AS head FROM events');
  }

  async appendToStream(
    streamId: string,
    events: NewEvent[],
    options: { expectedRevision?: ExpectedRevision } = {},
  ): Promise<AppendResult> {
    this.assertOpen();
    validateAppend(streamId, events, options.expectedRevision);
    const forget = this.recent.mark();
    let result: AppendResult;
    try {
      result = this.connection.writeTransaction(() => this.appendInTransaction(streamId, events, options.expectedRevision ?? 'any'));
    } catch (error) {
      forget(); // rolled back: forget the rows it remembered
      throw error;
    }
    if (result.appended) this.live.wake();
    return result;
  }

  async readStream(streamId: string, options: ReadStreamOptions = {}): Promise<RecordedEvent[]> {
    this.assertOpen();
    const limit = toLimit(options.maxCount);
    if (limit === 0) return [];
    const rows =
      options.direction === 'backwards'
        ? this.readBackwards.all(streamId, options.fromRevision ?? Number.MAX_SAFE_INTEGER, limit)
        : this.readForwards.all(streamId, options.fromRevision ?? 0, limit);
    return rows.map(toRecordedEvent);
  }

  async readAll(options: ReadAllOptions = {}): Promise<RecordedEvent[]> {
    this.assertOpen();
    const limit = toLimit(options.maxCount);
    if (limit === 0) return [];
    return this.readAllAfter.all(options.after ?? 0n, limit).map(toRecordedEvent);
  }

  async readAllRaw(options: ReadAllOptions = {}): Promise<RawRecordedEvent[]> {
    this.assertOpen();
    const limit = toLimit(options.maxCount);
    if (limit === 0) return [];
    return (this.readRawAfter.all(options.after ?? 0n, limit) as unknown as SQLOutputValue[][]).map(rawEventOfRow);
  }

  headPosition(): Promise<bigint> {
    return this.live.headPosition();
  }

  subscribeToAll(handler: EventHandler, options: SubscribeOptions & { onError?: (error: unknown) => void } = {}): Subscription {
    return this.live.subscribe(handler, options);
  }

  /** Stops every subscription (awaiting in-flight handlers), then closes the database. */
  close(): Promise<void> {
    return this.live.close(() => this.connection.close());
  }

  private assertOpen(): void {
    this.live.assertOpen();
  }

  private appendInTransaction(streamId: string, events: NewEvent[], expected: ExpectedRevision): AppendResult {
    const last = this.selectStreamHead.get(streamId);
    const actual = last === undefined ? -1 : Number(last['revision']);

    const retry = this.findRetry(streamId, events, actual);
    if (retry) return retry;
    checkExpectedRevision(streamId, expected, actual);

    const now = this.now().toISOString();
    let prevHash = last === undefined ? null : (last['hash'] as string);
    let revision = actual;
    let position = 0n;
    for (const event of events) {
      revision += 1;
      const { hash, dataJson: data, metadataJson } = chainEvent(streamId, revision, { ...event, metadata: event.metadata ?? {} }, prevHash, now);
      const inserted = this.insertEvent.run(streamId, revision, event.eventId, event.type, data, metadataJson, hash, now);
      position = BigInt(inserted.lastInsertRowid);
      this.recent.push({
        position,
        stream_id: streamId,
        revision: BigInt(revision),
        event_id: event.eventId,
        type: event.type,
        data,
        metadata: metadataJson,
        hash,
      });
      prevHash = hash;
    }
    return { appended: true, nextExpectedRevision: revision, position };
  }

  /** See {@link judgeRetry}: a retry of an earlier append succeeds without writing; a partial overlap is refused. */
  private findRetry(streamId: string, events: NewEvent[], actual: number): AppendResult | undefined {
    const found = events.map((event) => {
      const row = this.selectByEventId.get(event.eventId);
      return row === undefined
        ? undefined
        : { streamId: row['stream_id'] as string, revision: Number(row['revision']), position: row['position'] as bigint };
    });
    return judgeRetry(streamId, events, found, actual);
  }

  private head(): bigint {
    return this.selectHead.get()!['head'] as bigint;
  }

  /** Reads only below a head taken first, so every position it scans past is already committed. */
  private readPage(after: bigint, streamPrefix: string | undefined, maxCount: number): GlobalLogPage {
    this.connection.assertOpen();
    const head = this.head();
    const cached = head === this.recent.lastPosition ? this.recent.after(after) : undefined;
    if (cached) {
      const matching = streamPrefix === undefined ? cached : cached.filter((row) => (row['stream_id'] as string).startsWith(streamPrefix));
      const page = matching.slice(0, maxCount);
      const events = page.map(toRecordedEvent);
      return { events, scannedTo: page.length < matching.length ? events.at(-1)!.position : head };
    }
    const rows =
      streamPrefix === undefined
        ? this.readAllUpTo.all(after, head, maxCount)
        : this.readPrefixUpTo.all(after, head, streamPrefix, maxCount);
    const events = rows.map(toRecordedEvent);
    const scannedTo = events.length < maxCount ? head : events.at(-1)!.position;
    return { events, scannedTo };
  }
}

function toRecordedEvent(row: Row): RecordedEvent {
  return {
    eventId: row['event_id'] as string,
    type: row['type'] as string,
    data: JSON.parse(row['data'] as string) as unknown,
    metadata: JSON.parse(row['metadata'] as string) as EventMetadata & { prevHash: string | null; occurredAt: string },
    streamId: row['stream_id'] as string,
    revision: Number(row['revision']),
    position: row['position'] as bigint,
    hash: row['hash'] as string,
  };
}

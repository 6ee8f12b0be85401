import { randomUUID } from 'node:crypto';
import type { Pool, PoolClient, QueryResult, QueryResultRow } from 'pg';
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
import { chainEvent, checkExpectedRevision, judgeRetry, NO_LIMIT, toLimit, validateAppend, type ExistingEvent } from '@approvals/ledger-core';
import { RecentAppends, StoreSubscriptions, type GlobalLogPage } from '@approvals/ledger-core';
import { asStoreError, catchConnectionErrors, queryOrUnavailable } from '@approvals/postgres';
import { quoteIdent } from '@approvals/postgres';

export interface PostgresEventStoreOptions {
  /** Re-read at least this often even without a notification (a safety net, default 1000 ms). */
  pollIntervalMs?: number;
  /** Events read per page while a subscription catches up (default 500). */
  pageSize?: number;
  /** Streams whose last revision and hash are remembered for one-statement appends (default 10,000). */
  headCacheSize?: number;
  now?: () => Date;
}

/** The last event of a stream as this store last saw it; null: the stream had no events. */
type StreamHead = { revision: number; hash: string } | null;

interface PendingAppend {
  streamId: string;
  events: NewEvent[];
  expected: ExpectedRevision;
  resolve: (result: AppendResult) => void;
  reject: (error: unknown) => void;
}

interface EventRow {
  position: string;
  stream_id: string;
  revision: number;
  event_id: string;
  type: string;
  data: string;
  metadata: string;
  hash: string;
}

const COLUMNS = 'position, stream_id, revision, event_id, type, data, metadata, hash';
/** The channel appends notify on (the payload is the schema, so several ledgers can share a database). */
export const LEDGER_CHANNEL = 'approvals_ledger';

/**
 * The ledger on PostgreSQL (node-postgres).
 *
 * Global order without gaps: every append locks the single `ledger_head` row first and holds it
 * until it commits, takes its positions after the head and moves the head in the same
 * transaction. Appends therefore commit in position order, and a reader that sees the head at P
 * sees every event up to P: no transaction can commit a smaller position later (the classic
 * sequence problem, where position 11 commits before 10 and a follower skips 10, cannot occur).
 * The price is that appends are serialised, which suits a ledger with one writer (the decision
 * service) and is measured by `npm run bench`.
 *
 * Most appends take one round trip: the store remembers the last revision and hash of the
 * streams it recently read or wrote, builds the hash chain from them, and sends one statement that
 * checks, in the database, that each stream still ends where the store believes it does, moves the
 * head and inserts the events (see appendChecked). When the store knows no head, the check fails,
 * an event id already exists (a retry), or the expected revision does not match what it remembers,
 * the batch goes through the authoritative path instead: one transaction that reads the streams
 * and the ids under the head lock and judges every append on what it read.
 *
 * Live subscriptions are woken by LISTEN/NOTIFY (the append notifies in its transaction, so the
 * notification arrives after the commit), with a slow poll as a safety net.
 */
export class PostgresEventStore implements EventStore {
  private readonly now: () => Date;
  private readonly live: StoreSubscriptions;
  private readonly s: string;
  private readonly queue: PendingAppend[] = [];
  private flushing = false;
  /** This store's latest appends, for its live subscribers; emptied by any other writer's notification. */
  private readonly recent = new RecentAppends<RecordedEvent>((event) => event.position);
  /** Names this store in its notifications, so it can tell its own commits from other writers'. */
  private readonly origin = randomUUID();
  /** Recently seen stream heads, least recently used first (see appendChecked). */
  private readonly heads = new Map<string, StreamHead>();
  private readonly headCacheSize: number;

  constructor(
    private readonly pool: Pool,
    readonly schema: string,
    private readonly location: string,
    options: PostgresEventStoreOptions = {},
    private readonly onClose: () => Promise<void> = async () => undefined,
  ) {
    this.s = quoteIdent(schema);
    this.headCacheSize = options.headCacheSize ?? 10_000;
    this.now = options.now ?? (() => new Date());
    this.live = new StoreSubscriptions(
      { head: () => this.head(), readPage: (after, prefix, max) => this.readPage(after, prefix, max) },
      { pollIntervalMs: options.pollIntervalMs ?? 1000, pageSize: options.pageSize ?? 500, location },
    );
  }

  /** Wakes every live subscription (a notification arrived, or the listener reconnected). */
  wake(): void {
    this.live.wake();
  }

  /**
   * A notification on the ledger channel (undefined: the listener reconnected and may have missed
   * some). Our own commits woke the subscriptions already; anything else may be another writer's,
   * so the recent-appends cache can no longer vouch for the log and is dropped.
   */
  notified(payload: string | undefined): void {
    if (payload !== undefined && payload !== this.schema && !payload.startsWith(`${this.schema} `)) return; // another ledger's
    if (payload === this.notifyPayload) return;
    this.recent.clear();
    this.wake();
  }

  private get notifyPayload(): string {
    return `${this.schema} ${this.origin}`;
  }

  async appendToStream(streamId: string, events: NewEvent[], options: { expectedRevision?: ExpectedRevision } = {}): Promise<AppendResult> {
    this.assertOpen();
    validateAppend(streamId, events, options.expectedRevision);
    const result = await new Promise<AppendResult>((resolve, reject) => {
      this.queue.push({ streamId, events, expected: options.expectedRevision ?? 'any', resolve, reject });
      if (!this.flushing) void this.flush();
    });
    if (result.appended) this.wake();
    return result;
  }

  /**
   * Group commit: appends that arrive while a transaction is running go together into the next
   * one. Each is still judged on its own (expected revision, retry by event id) against the
   * stream as the earlier appends of the batch leave it, and fails alone; one commit (one WAL
   * flush) then serves them all. With the head lock held to the commit, this is what lets
   * appends scale with concurrency.
   */
  private async flush(): Promise<void> {
    this.flushing = true;
    while (this.queue.length > 0) {
      const batch = this.queue.splice(0, 500);
      let client: PoolClient | undefined;
      let detach = () => undefined as void;
      let broken: Error | undefined;
      try {
        client = await this.pool.connect();
        detach = catchConnectionErrors(client);
        const results = (await this.appendChecked(client, batch)) ?? (await this.appendBatch(client, batch));
        batch.forEach((request, i) => {
          const result = results[i]!;
          if (result instanceof Error) request.reject(result);
          else request.resolve(result);
        });
      } catch (error) {
        // A client whose statement failed may hold a broken connection: discarded, not pooled again.
        broken = error instanceof Error ? error : new Error(String(error));
        const failure = asStoreError(error, this.location);
        for (const request of batch) request.reject(failure);
      } finally {
        detach();
        client?.release(broken);
      }
    }
    this.flushing = false;
  }

  /**
   * The one-statement append, judged on the remembered stream heads. Returns undefined, having
   * written nothing, whenever it cannot be sure: then the caller runs appendBatch.
   *
   * The statement's checks read its snapshot, which may predate a concurrent commit; that is safe
   * because events never change (a remembered hash that is found is right forever) and a stale
   * "stream is empty" or "revision is free" ends in a unique-key violation, which aborts the
   * whole statement. The UPDATE of the head row takes the head lock and returns the newest head,
   * so positions follow it and commit order is position order, as in appendBatch.
   */
  private async appendChecked(client: PoolClient, batch: PendingAppend[]): Promise<(AppendResult | Error)[] | undefined> {
    const heads = new Map<string, StreamHead>();
    const checks = { stream: [] as string[], revision: [] as number[], hash: [] as (string | null)[] };
    for (const { streamId, expected } of batch) {
      if (heads.has(streamId)) continue;
      // A stream expected not to exist needs no remembered head: the statement checks that it is empty.
      const head = this.heads.get(streamId) ?? (expected === 'no_stream' ? null : undefined);
      if (head === undefined) return undefined;
      heads.set(streamId, head);
      checks.stream.push(streamId);
      checks.revision.push(head === null ? -1 : head.revision);
      checks.hash.push(head === null ? null : head.hash);
    }
    const now = this.now().toISOString();
    const rows = newColumns();
    const planned: { revision: number; count: number }[] = [];
    for (const { streamId, events, expected } of batch) {
      const head = heads.get(streamId)!;
      const actual = head === null ? -1 : head.revision;
      try {
        checkExpectedRevision(streamId, expected, actual);
      } catch {
        return undefined; // perhaps the remembered head is old: let the authoritative path judge
      }
      const { revision, hash } = pushChained(rows, streamId, events, head, now);
      planned.push({ revision, count: events.length });
      heads.set(streamId, { revision, hash });
    }
    const s = this.s;
    let moved: { head: string }[];
    try {
      ({ rows: moved } = await client.query<{ head: string }>(
        `WITH checks AS (
           SELECT bool_and(CASE WHEN c.rev < 0
             THEN NOT EXISTS (SELECT 1 FROM ${s}.events e WHERE e.stream_id = c.st)
             ELSE EXISTS (SELECT 1 FROM ${s}.events e WHERE e.stream_id = c.st AND e.revision = c.rev AND e.hash = c.h) END) AS ok
           FROM unnest($10::text[], $11::integer[], $12::text[]) AS c(st, rev, h)
         ), moved AS (
           UPDATE ${s}.ledger_head SET position = position + $9 WHERE (SELECT ok FROM checks) RETURNING position
         ), inserted AS (
           INSERT INTO ${s}.events (position, stream_id, revision, event_id, type, data, metadata, hash, recorded_at)
           SELECT moved.position - $9 + x.n, x.st, x.r, x.e, x.t, x.d, x.m, x.h, $8::timestamptz
           FROM moved, unnest($1::text[], $2::integer[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[]) WITH ORDINALITY AS x(st, r, e, t, d, m, h, n)
           RETURNING 1
         )
         SELECT position::text AS head, pg_notify('${LEDGER_CHANNEL}', $13) FROM moved`,
        [rows.stream, rows.revision, rows.eventId, rows.type, rows.data, rows.metadata, rows.hash, now, rows.stream.length, checks.stream, checks.revision, checks.hash, this.notifyPayload],
      ));
    } catch (error) {
      if ((error as { code?: string }).code === '23505') return undefined; // a retried id, or a stream that moved on
      throw error;
    }
    if (moved.length === 0) {
      for (const streamId of checks.stream) this.heads.delete(streamId);
      return undefined;
    }
    let position = BigInt(moved[0]!.head) - BigInt(rows.stream.length);
    for (const [streamId, head] of heads) this.rememberHead(streamId, head);
    this.rememberRecent(rows, position + 1n);
    return planned.map(({ revision, count }) => {
      position += BigInt(count);
      return { appended: true, nextExpectedRevision: revision, position };
    });
  }

  private rememberHead(streamId: string, head: StreamHead): void {
    if (this.headCacheSize <= 0) return;
    this.heads.delete(streamId);
    this.heads.set(streamId, head);
    if (this.heads.size > this.headCacheSize) this.heads.delete(this.heads.keys().next().value!);
  }

  /** Keeps the events just committed, at consecutive positions from `first`, for live subscribers. */
  private rememberRecent(columns: Columns, first: bigint): void {
    columns.stream.forEach((streamId, i) => {
      this.recent.push({
        eventId: columns.eventId[i]!,
        type: columns.type[i]!,
        // Parsed from the stored text, so readers get exactly what a read from the server gives.
        data: JSON.parse(columns.data[i]!) as unknown,
        metadata: JSON.parse(columns.metadata[i]!) as RecordedEvent['metadata'],
        streamId,
        revision: columns.revision[i]!,
        position: first + BigInt(i),
        hash: columns.hash[i]!,
      });
    });
  }

  private async appendBatch(client: PoolClient, batch: PendingAppend[]): Promise<(AppendResult | Error)[]> {
    const s = this.s;
    // Simple protocol, one round trip: begin and take the head lock (held until COMMIT).
    const begun = (await client.query(`BEGIN; SELECT position FROM ${s}.ledger_head FOR UPDATE`)) as unknown as { rows: { position: string }[] }[];
    try {
      let position = BigInt(begun[1]!.rows[0]!.position);
      const streamIds = [...new Set(batch.map((request) => request.streamId))];
      const ids = batch.flatMap((request) => request.events.map((event) => event.eventId));
      const { rows } = await client.query<{ kind: string; stream_id: string; revision: number; hash: string; position: string; event_id: string }>(
        `(SELECT DISTINCT ON (stream_id) 'last' AS kind, stream_id, revision, hash, position, event_id FROM ${s}.events
          WHERE stream_id = ANY($1::text[]) ORDER BY stream_id, revision DESC)
         UNION ALL
         (SELECT 'id', stream_id, revision, hash, position, event_id FROM ${s}.events WHERE event_id = ANY($2::text[]))`,
        [streamIds, ids],
      );
      // The state of each stream and of each id as this batch goes: earlier appends count for later ones.
      const heads = new Map<string, { revision: number; hash: string }>(rows.filter((r) => r.kind === 'last').map((r) => [r.stream_id, { revision: r.revision, hash: r.hash }]));
      const known = new Map<string, ExistingEvent>(
        rows.filter((r) => r.kind === 'id').map((r) => [r.event_id, { streamId: r.stream_id, revision: r.revision, position: BigInt(r.position) }]),
      );
      const now = this.now().toISOString();
      const columns = newColumns();
      const results = batch.map((request): AppendResult | Error => {
        const { streamId, events, expected } = request;
        const head = heads.get(streamId);
        const actual = head === undefined ? -1 : head.revision;
        try {
          const retry = judgeRetry(streamId, events, events.map((event) => known.get(event.eventId)), actual);
          if (retry) return retry;
          checkExpectedRevision(streamId, expected, actual);
        } catch (error) {
          return error as Error;
        }
        const first = columns.stream.length;
        const last = pushChained(columns, streamId, events, head ?? null, now);
        for (let i = first; i < columns.stream.length; i += 1) {
          position += 1n;
          columns.position.push(position.toString());
          known.set(columns.eventId[i]!, { streamId, revision: columns.revision[i]!, position });
        }
        heads.set(streamId, last);
        return { appended: true, nextExpectedRevision: last.revision, position };
      });
      if (columns.position.length > 0) {
        await client.query(
          `WITH inserted AS (
             INSERT INTO ${s}.events (position, stream_id, revision, event_id, type, data, metadata, hash, recorded_at)
             SELECT p, st, r, e, t, d, m, h, $9::timestamptz
             FROM unnest($1::bigint[], $2::text[], $3::integer[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[]) AS x(p, st, r, e, t, d, m, h)
             RETURNING 1
           ), moved AS (UPDATE ${s}.ledger_head SET position = $10)
           SELECT pg_notify('${LEDGER_CHANNEL}', $11)`,
          [columns.position, columns.stream, columns.revision, columns.eventId, columns.type, columns.data, columns.metadata, columns.hash, now, position.toString(), this.notifyPayload],
        );
      }
      await client.query('COMMIT');
      for (const streamId of streamIds) this.rememberHead(streamId, heads.get(streamId) ?? null);
      if (columns.position.length > 0) this.rememberRecent(columns, BigInt(columns.position[0]!));
      return results;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    }
  }

  async readStream(streamId: string, options: ReadStreamOptions = {}): Promise<RecordedEvent[]> {
    this.assertOpen();
    const limit = toLimit(options.maxCount);
    if (limit === 0) return [];
    const backwards = options.direction === 'backwards';
    const { rows } = await this.query<EventRow>(
      backwards
        ? `SELECT ${COLUMNS} FROM ${this.s}.events WHERE stream_id = $1 AND revision <= $2 ORDER BY revision DESC LIMIT $3`
        : `SELECT ${COLUMNS} FROM ${this.s}.events WHERE stream_id = $1 AND revision >= $2 ORDER BY revision ASC LIMIT $3`,
      [streamId, options.fromRevision ?? (backwards ? 2_147_483_647 : 0), limit === NO_LIMIT ? null : limit],
    );
    const events = rows.map(toRecordedEvent);
    // A whole stream read forwards ends at its head: remember it for the next append.
    if (!backwards && limit === NO_LIMIT && (options.fromRevision ?? 0) === 0 && !this.heads.has(streamId)) {
      const last = events.at(-1);
      this.rememberHead(streamId, last === undefined ? null : { revision: last.revision, hash: last.hash });
    }
    return events;
  }

  async readAll(options: ReadAllOptions = {}): Promise<RecordedEvent[]> {
    return (await this.readAllRows(options)).map(toRecordedEvent);
  }

  async readAllRaw(options: ReadAllOptions = {}): Promise<RawRecordedEvent[]> {
    return (await this.readAllRows(options)).map((row) => ({
      eventId: row.event_id,
      type: row.type,
      dataJson: row.data,
      metadataJson: row.metadata,
      streamId: row.stream_id,
      revision: row.revision,
      position: BigInt(row.position),
      hash: row.hash,
    }));
  }

  /** The rows after a position, in global order: what readAll and readAllRaw each shape. */
  private async readAllRows(options: ReadAllOptions): Promise<EventRow[]> {
    this.assertOpen();
    const limit = toLimit(options.maxCount);
    if (limit === 0) return [];
    const { rows } = await this.query<EventRow>(`SELECT ${COLUMNS} FROM ${this.s}.events WHERE position > $1 ORDER BY position LIMIT $2`, [
      (options.after ?? 0n).toString(),
      limit === NO_LIMIT ? null : limit,
    ]);
    return rows;
  }

  headPosition(): Promise<bigint> {
    return this.live.headPosition();
  }

  subscribeToAll(handler: EventHandler, options: SubscribeOptions & { onError?: (error: unknown) => void } = {}): Subscription {
    return this.live.subscribe(handler, options);
  }

  /** Stops every subscription (awaiting in-flight handlers), then releases the connections. */
  close(): Promise<void> {
    return this.live.close(async () => {
      // Appends accepted before close still commit (or fail) before the connections go.
      while (this.flushing) await new Promise((resolve) => setTimeout(resolve, 5));
      await this.onClose();
    });
  }

  private query<R extends QueryResultRow>(text: string, values: unknown[] = []): Promise<QueryResult<R>> {
    return queryOrUnavailable<R>(this.pool, this.location, text, values);
  }

  private assertOpen(): void {
    this.live.assertOpen();
  }

  private async head(): Promise<bigint> {
    const { rows } = await this.query<{ position: string }>(`SELECT position FROM ${this.s}.ledger_head`);
    return BigInt(rows[0]!.position);
  }

  /** Reads only up to a head taken first: every position up to it is committed (see the class comment). */
  private async readPage(after: bigint, streamPrefix: string | undefined, maxCount: number): Promise<GlobalLogPage> {
    this.live.assertOpen();
    // Our own appends cover the log from the cursor (no other writer has been heard of since).
    const cached = this.recent.after(after);
    if (cached) {
      const matching = streamPrefix === undefined ? cached : cached.filter((event) => event.streamId.startsWith(streamPrefix));
      const events = matching.slice(0, maxCount);
      return { events, scannedTo: events.length < matching.length ? events.at(-1)!.position : this.recent.lastPosition! };
    }
    const head = await this.head();
    if (head <= after) return { events: [], scannedTo: after };
    // The head as a literal bound (not a subquery) lets the planner estimate the range and walk the index in order.
    const { rows } =
      streamPrefix === undefined
        ? await this.query<EventRow>(`SELECT ${COLUMNS} FROM ${this.s}.events WHERE position > $1 AND position <= $2 ORDER BY position LIMIT $3`, [
            after.toString(),
            head.toString(),
            maxCount,
          ])
        : await this.query<EventRow>(
            `SELECT ${COLUMNS} FROM ${this.s}.events WHERE position > $1 AND position <= $2 AND starts_with(stream_id, $3) ORDER BY position LIMIT $4`,
            [after.toString(), head.toString(), streamPrefix, maxCount],
          );
    const events = rows.map(toRecordedEvent);
    return { events, scannedTo: events.length < maxCount ? head : events.at(-1)!.position };
  }
}

interface Columns {
  position: string[];
  stream: string[];
  revision: number[];
  eventId: string[];
  type: string[];
  data: string[];
  metadata: string[];
  hash: string[];
}

const newColumns = (): Columns => ({ position: [], stream: [], revision: [], eventId: [], type: [], data: [], metadata: [], hash: [] });

/** Adds one append's events to the insert columns, chained after `head`; returns the new head. */
function pushChained(columns: Columns, streamId: string, events: NewEvent[], head: StreamHead, now: string): { revision: number; hash: string } {
  let prevHash = head === null ? null : head.hash;
  let revision = head === null ? -1 : head.revision;
  for (const event of events) {
    revision += 1;
    const { hash, dataJson, metadataJson } = chainEvent(streamId, revision, { ...event, metadata: event.metadata ?? {} }, prevHash, now);
    columns.stream.push(streamId);
    columns.revision.push(revision);
    columns.eventId.push(event.eventId);
    columns.type.push(event.type);
    columns.data.push(dataJson);
    columns.metadata.push(metadataJson);
    columns.hash.push(hash);
    prevHash = hash;
  }
  return { revision, hash: prevHash! };
}

function toRecordedEvent(row: EventRow): RecordedEvent {
  return {
    eventId: row.event_id,
    type: row.type,
    data: JSON.parse(row.data) as unknown,
    metadata: JSON.parse(row.metadata) as EventMetadata & { prevHash: string | null; occurredAt: string },
    streamId: row.stream_id,
    revision: row.revision,
    position: BigInt(row.position),
    hash: row.hash,
  };
}

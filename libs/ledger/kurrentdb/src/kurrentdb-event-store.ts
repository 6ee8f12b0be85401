import {
  BACKWARDS,
  END,
  ErrorType,
  FORWARDS,
  jsonEvent,
  NO_STREAM,
  START,
  StreamNotFoundError,
  streamNameFilter,
  type Filter,
  type ReadRevision,
} from '@kurrent/kurrentdb-client';
import {
  IdempotencyViolationError,
  type AppendResult,
  type EventHandler,
  type EventStore,
  type ExpectedRevision,
  type NewEvent,
  type ReadAllOptions,
  type ReadStreamOptions,
  type RecordedEvent,
  type SubscribeOptions,
  type Subscription,
} from '@approvals/application';
import { checkExpectedRevision, judgeRetry, NO_LIMIT, toLimit, validateAppend, type ExistingEvent } from '@approvals/ledger-core';
import { StoreSubscriptions, type GlobalLogPage } from '@approvals/ledger-core';
import { LedgerClosedError } from '@approvals/ledger-core';
import { KurrentDbChangeNotifier, type LiveFeed } from './kurrentdb-change-notifier';
import type { KurrentDbConnection } from './kurrentdb-connection';
import {
  isWrongExpectedVersion,
  LEDGER_METADATA_KEY,
  NON_SYSTEM_STREAMS_REGEX,
  toAllPage,
  toAllReadItem,
  toKurrentEventId,
  toLedgerEvent,
  toProposedEvent,
  toReadPosition,
  toStreamState,
  toWrongExpectedRevision,
  type AllPage,
  type ProposedEvent,
} from './kurrentdb-mapping';

/** Tuning of {@link KurrentDbEventStore}; every field has a default. */
export interface KurrentDbEventStoreOptions {
  /** How often an idle subscription re-reads when no live notification came (a safety net, default 1000 ms). */
  pollIntervalMs?: number;
  /** Events read per page while a subscription catches up, and per read of `$all` (default 500). */
  pageSize?: number;
  /** Clock for the default `occurredAt` (default: system clock). */
  now?: () => Date;
  /**
   * Refuse an event id already used in another stream (default true). KurrentDB has no index by
   * event id, so each id is claimed in a stream of its own (`$approvals-event-id-<uuid>`): one
   * more small write per event. Without it, only ids within the same stream are checked.
   */
  claimEventIds?: boolean;
  /** Attempts of an `any` / `stream_exists` append that keeps meeting concurrent writers (default 5). */
  maxAppendAttempts?: number;
  /** Keep a live subscription to the server that wakes idle subscribers at once (default true). */
  liveNotifications?: boolean;
  /** Errors of the live notification feed (it reconnects by itself). */
  onError?: (error: unknown) => void;
}

/** Prefix of the streams that claim an event id for one ledger stream. */
export const EVENT_ID_CLAIM_STREAM_PREFIX = '$approvals-event-id-';
const CLAIM_EVENT_TYPE = 'EventIdClaimed';

/**
 * The ledger on KurrentDB (EventStoreDB) through the official client.
 *
 * - Each ledger stream is a KurrentDB stream of the same name; `$`-prefixed names are KurrentDB's
 *   own and refused. Events are JSON; their KurrentDB metadata is the ledger metadata plus a
 *   `$ledger` entry with the event's hash (and the ledger event id when it is not a UUID).
 * - Global position = the event's commit position in `$all`. Every append through gRPC commits
 *   each event by itself, so commit and prepare positions are equal and strictly increasing,
 *   also within one multi-event append.
 * - Append: read the stream, build the hash chain on its last event, then append with that exact
 *   revision, so a concurrent writer makes one of the two fail rather than fork the chain.
 * - Subscriptions: {@link CatchUpSubscription} over filtered forward reads of `$all`, woken by
 *   this store's own appends and by a live server subscription, with a poll as safety net.
 */
export class KurrentDbEventStore implements EventStore {
  private readonly now: () => Date;
  private readonly live: StoreSubscriptions;
  private readonly claimEventIds: boolean;
  private readonly maxAppendAttempts: number;
  private readonly notifier: KurrentDbChangeNotifier | undefined;

  constructor(
    private readonly connection: KurrentDbConnection,
    options: KurrentDbEventStoreOptions = {},
  ) {
    this.live = new StoreSubscriptions(
      { head: () => this.head(), readPage: (after, prefix, max) => this.readPage(after, prefix, max) },
      { pollIntervalMs: options.pollIntervalMs ?? 1000, pageSize: options.pageSize ?? 500, location: connection.location, assertConnected: () => connection.assertOpen() },
    );
    this.now = options.now ?? (() => new Date());
    this.claimEventIds = options.claimEventIds ?? true;
    this.maxAppendAttempts = options.maxAppendAttempts ?? 5;
    if (!(Number.isSafeInteger(this.maxAppendAttempts) && this.maxAppendAttempts > 0)) throw new TypeError('maxAppendAttempts must be a positive integer');
    const onError = options.onError ?? (() => undefined);
    this.notifier =
      options.liveNotifications === false
        ? undefined
        : new KurrentDbChangeNotifier(
            (): LiveFeed =>
              connection.client.subscribeToAll({ fromPosition: END, filter: streamNameFilter({ regex: NON_SYSTEM_STREAMS_REGEX }) }),
            () => this.wake(),
            onError,
          );
  }

  /** Where the server is, without credentials. */
  get location(): string {
    return this.connection.location;
  }

  /** Wakes every live subscription (an append happened, or may have). */
  wake(): void {
    this.live.wake();
  }

  async appendToStream(streamId: string, events: NewEvent[], options: { expectedRevision?: ExpectedRevision } = {}): Promise<AppendResult> {
    this.assertOpen();
    validateAppend(streamId, events, options.expectedRevision);
    validateForKurrentDb(streamId, events);
    const expected = options.expectedRevision ?? 'any';
    const claimed = new Set<string>();
    for (let attempt = 1; ; attempt += 1) {
      const stored = await this.readStreamEvents(streamId, { direction: FORWARDS, fromRevision: START });
      const last = stored.at(-1);
      const actual = last?.revision ?? -1;
      const byId = new Map(stored.map((event) => [event.eventId, event]));
      const found = events.map((event): ExistingEvent | undefined => byId.get(event.eventId));
      const retry = judgeRetry(streamId, events, found, actual);
      if (retry) return retry;
      checkExpectedRevision(streamId, expected, actual);

      const now = this.now().toISOString();
      let prevHash = last?.hash ?? null;
      const proposed = events.map((event, index) => {
        const next = toProposedEvent(streamId, actual + 1 + index, event, prevHash, now);
        prevHash = next.hash;
        return next;
      });
      if (this.claimEventIds) await this.claim(streamId, events, claimed);
      try {
        const written = await this.connection.call(`append to ${streamId}`, (client) =>
          client.appendToStream(
            streamId,
            proposed.map((event) => event.data),
            { streamState: toStreamState(expected, actual) },
          ),
        );
        const result = await this.confirm(streamId, proposed, Number(written.nextExpectedRevision));
        if (result) {
          this.wake();
          return result;
        }
        // KurrentDB took these ids for a retry of an earlier append (its own idempotence) and
        // wrote nothing: the next pass finds them and answers as a retry.
      } catch (error) {
        if (!isWrongExpectedVersion(error)) throw error;
        // Someone appended since the read: read again. An exact expectation then fails with the
        // new revision; a retry of events appended meanwhile is recognised; `any` tries again.
        if (attempt >= this.maxAppendAttempts) throw toWrongExpectedRevision(error, streamId, expected);
        continue;
      }
      if (attempt >= this.maxAppendAttempts) {
        throw new Error(`stream ${streamId}: KurrentDB acknowledged the append but the stream does not hold it (${attempt} attempts)`);
      }
    }
  }

  async readStream(streamId: string, options: ReadStreamOptions = {}): Promise<RecordedEvent[]> {
    this.assertOpen();
    const limit = toLimit(options.maxCount);
    if (options.fromRevision !== undefined && !(Number.isSafeInteger(options.fromRevision) && options.fromRevision >= 0)) {
      throw new TypeError(`fromRevision must be a non-negative integer, got ${options.fromRevision}`);
    }
    if (limit === 0) return [];
    const backwards = options.direction === 'backwards';
    return this.readStreamEvents(streamId, {
      direction: backwards ? BACKWARDS : FORWARDS,
      fromRevision: options.fromRevision === undefined ? (backwards ? END : START) : BigInt(options.fromRevision),
      ...(limit === NO_LIMIT ? {} : { maxCount: limit }),
    });
  }

  async readAll(options: ReadAllOptions = {}): Promise<RecordedEvent[]> {
    this.assertOpen();
    const limit = toLimit(options.maxCount);
    const after = options.after ?? 0n;
    if (typeof after !== 'bigint' || after < 0n) throw new TypeError('after must be a non-negative bigint');
    const events: RecordedEvent[] = [];
    let cursor = after;
    while (limit === NO_LIMIT || events.length < limit) {
      const wanted = limit === NO_LIMIT ? this.live.pageSize : Math.min(limit - events.length, this.live.pageSize);
      const page = await this.readAllPage(cursor, undefined, wanted, 0n);
      events.push(...page.events);
      if (page.reachedEnd) break;
      cursor = page.scannedTo;
    }
    return events;
  }

  headPosition(): Promise<bigint> {
    return this.live.headPosition();
  }

  subscribeToAll(handler: EventHandler, options: SubscribeOptions & { onError?: (error: unknown) => void } = {}): Subscription {
    const subscription = this.live.subscribe(handler, options);
    this.notifier?.start();
    return subscription;
  }

  /** Stops every subscription (awaiting in-flight handlers) and the live feed, then disposes the client. */
  close(): Promise<void> {
    return this.live.close(async () => {
      await this.notifier?.stop();
      await this.connection.close();
    });
  }

  private assertOpen(): void {
    this.live.assertOpen();
  }

  /**
   * Reads back the last event the append reported, for its position and to tell a real write from
   * KurrentDB's silent acceptance of a duplicate (then the stored hash is not the one just built).
   */
  private async confirm(streamId: string, proposed: ProposedEvent[], lastRevision: number): Promise<AppendResult | undefined> {
    const mine = proposed.at(-1)!;
    const [stored] = await this.readStreamEvents(streamId, { direction: FORWARDS, fromRevision: BigInt(lastRevision), maxCount: 1 });
    if (!stored || stored.revision !== mine.revision || stored.hash !== mine.hash) return undefined;
    return { appended: true, nextExpectedRevision: stored.revision, position: stored.position };
  }

  /**
   * Claims each event id for this stream (a stream per id, created with NO_STREAM), so an id can
   * serve only one stream. Not atomic with the append: a claim whose append then fails stays,
   * binding the id to this stream; a retry into the same stream is unaffected.
   */
  private async claim(streamId: string, events: NewEvent[], claimed: Set<string>): Promise<void> {
    await Promise.all(
      events.map(async (event) => {
        const claimStream = `${EVENT_ID_CLAIM_STREAM_PREFIX}${toKurrentEventId(event.eventId)}`;
        if (claimed.has(claimStream)) return;
        try {
          await this.connection.call(`claim event id ${event.eventId}`, (client) =>
            client.appendToStream(claimStream, jsonEvent({ type: CLAIM_EVENT_TYPE, data: { streamId, eventId: event.eventId } }), {
              streamState: NO_STREAM,
            }),
          );
        } catch (error) {
          if (!isWrongExpectedVersion(error)) throw error;
          const owner = await this.claimOwner(claimStream);
          if (owner !== streamId) {
            throw new IdempotencyViolationError(
              streamId,
              `event ${event.eventId} already exists in stream ${owner ?? '(unknown)'}; an event id can be used once in the whole ledger`,
            );
          }
        }
        claimed.add(claimStream);
      }),
    );
  }

  private async claimOwner(claimStream: string): Promise<string | undefined> {
    return this.connection.call(`read ${claimStream}`, async (client) => {
      for await (const resolved of client.readStream(claimStream, { direction: FORWARDS, fromRevision: START, maxCount: 1 })) {
        const data = resolved.event?.data as { streamId?: unknown } | undefined;
        return typeof data?.streamId === 'string' ? data.streamId : undefined;
      }
      return undefined;
    });
  }

  private async readStreamEvents(
    streamId: string,
    options: { direction: typeof FORWARDS | typeof BACKWARDS; fromRevision: ReadRevision; maxCount?: number },
  ): Promise<RecordedEvent[]> {
    return this.connection.call(`read stream ${streamId}`, async (client) => {
      const events: RecordedEvent[] = [];
      try {
        for await (const resolved of client.readStream(streamId, options)) {
          const event = toLedgerEvent(resolved);
          if (!event) {
            throw new Error(
              `stream ${streamId} holds an event the ledger did not write (revision ${String(resolved.event?.revision)}, type ${String(resolved.event?.type)}); write ledger streams only through the ledger`,
            );
          }
          events.push(event);
        }
      } catch (error) {
        if (error instanceof StreamNotFoundError || (error as { type?: unknown }).type === ErrorType.STREAM_NOT_FOUND) return [];
        throw error;
      }
      return events;
    });
  }

  /** Position of the last event of a non-system stream (0n when there is none). */
  private async head(): Promise<bigint> {
    return this.connection.call('read the head of $all', async (client) => {
      const filter = streamNameFilter({ regex: NON_SYSTEM_STREAMS_REGEX });
      for await (const resolved of client.readAll({ direction: BACKWARDS, fromPosition: END, maxCount: 1, filter })) {
        return toAllReadItem(resolved).position;
      }
      return 0n;
    });
  }

  /** One forward read of `$all` after `after`: ledger events only, at most `maxCount`. */
  private async readAllPage(after: bigint, streamPrefix: string | undefined, maxCount: number, headBefore: bigint): Promise<AllPage> {
    const filter: Filter =
      streamPrefix === undefined ? streamNameFilter({ regex: NON_SYSTEM_STREAMS_REGEX }) : streamNameFilter({ prefixes: [streamPrefix] });
    // The read includes the event at `after` itself, hence one more.
    const requested = maxCount + 1;
    const read = await this.connection.call('read $all', async (client) => {
      const items = [];
      for await (const resolved of client.readAll({ direction: FORWARDS, fromPosition: toReadPosition(after), maxCount: requested, filter })) {
        items.push(toAllReadItem(resolved));
      }
      return items;
    });
    return toAllPage(read, after, maxCount, requested, headBefore);
  }

  /**
   * A page for a subscription. The head is read first: a forward read that then reaches the end
   * has seen every event up to it, so the cursor may move there even when nothing matched.
   * KurrentDB makes events visible in log order, so no smaller position can appear later.
   */
  private async readPage(after: bigint, streamPrefix: string | undefined, maxCount: number): Promise<GlobalLogPage> {
    if (this.connection.isClosed) throw new LedgerClosedError(this.connection.location);
    const head = await this.head();
    if (head <= after) return { events: [], scannedTo: after };
    const events: RecordedEvent[] = [];
    let cursor = after;
    // Events the ledger did not write are skipped; keep reading so a page is short only at the end.
    for (;;) {
      const page = await this.readAllPage(cursor, streamPrefix, maxCount - events.length, head);
      events.push(...page.events);
      cursor = page.scannedTo;
      if (page.reachedEnd || events.length === maxCount) return { events, scannedTo: cursor };
    }
  }
}

function validateForKurrentDb(streamId: string, events: NewEvent[]): void {
  if (streamId.startsWith('$')) {
    throw new TypeError(`stream ${streamId}: names starting with $ are KurrentDB system streams and cannot hold ledger events`);
  }
  for (const event of events) {
    if (event.metadata !== undefined && Object.hasOwn(event.metadata, LEDGER_METADATA_KEY)) {
      throw new TypeError(`stream ${streamId}: event ${event.eventId} uses the metadata key ${LEDGER_METADATA_KEY}, which the KurrentDB ledger reserves`);
    }
  }
}

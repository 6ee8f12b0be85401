import { EventEmitter } from 'node:events';
import {
  MaxAppendSizeExceededError,
  NO_STREAM,
  STREAM_EXISTS,
  StreamNotFoundError,
  UnavailableError,
  WrongExpectedVersionError,
  type AllStreamResolvedEvent,
  type AppendResult,
  type AppendStreamState,
  type EventData,
  type KurrentDBClient,
  type ReadAllOptions,
  type ReadStreamOptions,
  type ResolvedEvent,
  type StreamMetadata,
  type SubscribeToAllOptions,
} from '@kurrent/kurrentdb-client';

// An in-memory stand-in for the parts of KurrentDBClient the adapter uses, modelled on the
// server's documented behaviour, so the adapter's logic runs without a server. It does not prove
// anything about the real server: the contract suite against KurrentDB does (see docs/kurrentdb.md).
//
// Modelled: positions are log offsets (gaps between events, commit = prepare per event); reads of
// $all include the event at their start position and see `$` system streams unless filtered;
// a missing stream throws StreamNotFoundError; appends check the expected state and are
// idempotent by event id for an explicit expected revision (as the server's commit check is);
// an append reports the position of its first event, not its last; stream metadata maxCount.

interface FakeRecord {
  streamId: string;
  id: string;
  type: string;
  isJson: boolean;
  data: unknown;
  metadata: unknown;
  revision: bigint;
  position: bigint;
  created: Date;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

class FakeFeed extends EventEmitter {
  constructor(
    private readonly detach: (feed: FakeFeed) => void,
    readonly matches: (record: FakeRecord) => boolean,
  ) {
    super();
  }

  async unsubscribe(): Promise<void> {
    this.detach(this);
  }
}

export class FakeKurrentDbClient {
  readonly records: FakeRecord[] = [];
  readonly metadata = new Map<string, StreamMetadata>();
  readonly feeds = new Set<FakeFeed>();
  /** When set, every call fails as an unreachable server does. */
  down = false;
  disposed = false;
  maxAppendSize = 16 * 1024 * 1024;
  appendCalls = 0;
  /** Runs once, at the next append to `stream`, before it takes effect (to stage a concurrent writer). */
  beforeNextAppend: { stream: string; run: (events: EventData[]) => void } | undefined;
  private nextPosition = 1_000n;

  /** The adapter's view of it. */
  get client(): KurrentDBClient {
    return this as unknown as KurrentDBClient;
  }

  async appendToStream(streamName: string, event: EventData | EventData[], options: { streamState?: AppendStreamState } = {}): Promise<AppendResult> {
    await this.roundTrip(true);
    this.appendCalls += 1;
    const events = Array.isArray(event) ? event : [event];
    const staged = this.beforeNextAppend;
    if (staged?.stream === streamName) {
      this.beforeNextAppend = undefined;
      staged.run(events);
    }
    const state = options.streamState ?? 'any';
    const current = this.lastRevision(streamName);
    const size = events.reduce((sum, e) => sum + JSON.stringify(e.data).length + JSON.stringify(e.metadata ?? {}).length, 0);
    if (size > this.maxAppendSize) throw new MaxAppendSizeExceededError(undefined, this.maxAppendSize);
    for (const e of events) if (!UUID.test(e.id) || /^0{8}-/.test(e.id)) throw new Error(`invalid event id ${e.id}`);

    // The server's commit check: the same ids right after the expected revision are a retry.
    if (typeof state === 'bigint' || state === NO_STREAM) {
      const expected = state === NO_STREAM ? -1n : state;
      if (expected < current) {
        const following = this.streamRecords(streamName).filter((r) => r.revision > expected).slice(0, events.length);
        const same = following.length === events.length && following.every((r, i) => r.id === events[i]!.id);
        if (same) return { success: true, nextExpectedRevision: following.at(-1)!.revision, position: this.positionOf(following[0]!) };
      }
    }
    const ok =
      state === 'any' ||
      (state === NO_STREAM && current === -1n) ||
      (state === STREAM_EXISTS && current >= 0n) ||
      (typeof state === 'bigint' && state === current);
    if (!ok) {
      throw new WrongExpectedVersionError(undefined, { streamName, expected: state, current: current === -1n ? NO_STREAM : current });
    }
    let revision = current;
    const written = events.map((e) => {
      revision += 1n;
      return this.write({
        streamId: streamName,
        id: e.id,
        type: e.type,
        isJson: e.contentType === 'application/json',
        data: e.contentType === 'application/json' ? JSON.parse(JSON.stringify(e.data)) : e.data,
        metadata: e.metadata === undefined ? undefined : JSON.parse(JSON.stringify(e.metadata)),
        revision,
      });
    });
    return { success: true, nextExpectedRevision: revision, position: this.positionOf(written[0]!) };
  }

  readStream(streamName: string, options: ReadStreamOptions = {}): AsyncIterableIterator<ResolvedEvent> {
    return this.generate(async function* (self) {
      await self.roundTrip(false);
      let records = self.streamRecords(streamName);
      if (records.length === 0) throw new StreamNotFoundError(undefined, streamName);
      const keep = self.metadata.get(streamName)?.maxCount;
      if (keep !== undefined) records = records.slice(-keep);
      const backwards = options.direction === 'backwards';
      const from = options.fromRevision ?? (backwards ? 'end' : 'start');
      let selected = backwards
        ? records.filter((r) => from === 'end' || from === 'start' || r.revision <= from).reverse()
        : records.filter((r) => from === 'start' || (from !== 'end' && r.revision >= from));
      if (options.maxCount !== undefined) selected = selected.slice(0, Number(options.maxCount));
      for (const record of selected) yield { event: self.toEvent(record) } as ResolvedEvent;
    });
  }

  readAll(options: ReadAllOptions = {}): AsyncIterableIterator<AllStreamResolvedEvent> {
    return this.generate(async function* (self) {
      await self.roundTrip(false);
      const matches = filterOf(options.filter);
      const from = options.fromPosition ?? 'start';
      const backwards = options.direction === 'backwards';
      let selected = self.records.filter(matches);
      if (backwards) selected = selected.filter((r) => from === 'end' || from === 'start' || r.position <= from.commit).reverse();
      else selected = selected.filter((r) => from === 'start' || (from !== 'end' && r.position >= from.commit));
      if (options.maxCount !== undefined) selected = selected.slice(0, Number(options.maxCount));
      for (const record of selected) yield { event: self.toEvent(record), commitPosition: record.position } as AllStreamResolvedEvent;
    });
  }

  private generate<T>(body: (self: FakeKurrentDbClient) => AsyncGenerator<T>): AsyncIterableIterator<T> {
    return body(this);
  }

  subscribeToAll(options: SubscribeToAllOptions = {}): FakeFeed {
    if (options.fromPosition !== 'end') throw new Error('the fake supports live subscriptions from the end only');
    const feed = new FakeFeed((f) => this.feeds.delete(f), filterOf(options.filter));
    this.feeds.add(feed);
    setImmediate(() => {
      if (this.down) feed.emit('error', new UnavailableError(undefined, 'UnavailableError'));
      else feed.emit('confirmation');
    });
    return feed;
  }

  async setStreamMetadata(streamName: string, metadata: StreamMetadata): Promise<AppendResult> {
    await this.roundTrip(true);
    this.metadata.set(streamName, metadata);
    const meta = this.write({
      streamId: `$$${streamName}`,
      id: crypto.randomUUID(),
      type: '$metadata',
      isJson: true,
      data: metadata,
      metadata: undefined,
      revision: this.lastRevision(`$$${streamName}`) + 1n,
    });
    return { success: true, nextExpectedRevision: meta.revision, position: this.positionOf(meta) };
  }

  async dispose(): Promise<void> {
    this.disposed = true;
    for (const feed of this.feeds) feed.emit('close');
  }

  /** Writes events as given, bypassing every check (a writer the test stages). */
  writeRaw(streamId: string, events: EventData[]): void {
    for (const e of events) {
      this.write({ streamId, id: e.id, type: e.type, isJson: true, data: e.data, metadata: e.metadata, revision: this.lastRevision(streamId) + 1n });
    }
  }

  /** Writes an event the ledger did not (another application, a system stream). */
  writeForeign(streamId: string, type: string, data: unknown = {}, metadata: unknown = undefined): void {
    this.write({ streamId, id: crypto.randomUUID(), type, isJson: true, data, metadata, revision: this.lastRevision(streamId) + 1n });
  }

  /** Cuts every live feed, as a server restart does. */
  dropFeeds(): void {
    for (const feed of [...this.feeds]) feed.emit('error', new UnavailableError(undefined, 'UnavailableError'));
  }

  private write(record: Omit<FakeRecord, 'position' | 'created'>): FakeRecord {
    const stored: FakeRecord = { ...record, position: this.nextPosition, created: new Date() };
    // A record takes some bytes of the log: positions have gaps, like real log offsets.
    this.nextPosition += 97n + BigInt(JSON.stringify(record.data ?? null).length);
    this.records.push(stored);
    for (const feed of this.feeds) if (feed.matches(stored)) feed.emit('data', { event: this.toEvent(stored) });
    return stored;
  }

  private streamRecords(streamId: string): FakeRecord[] {
    return this.records.filter((r) => r.streamId === streamId);
  }

  private lastRevision(streamId: string): bigint {
    return this.streamRecords(streamId).at(-1)?.revision ?? -1n;
  }

  private positionOf(record: FakeRecord): { commit: bigint; prepare: bigint } {
    return { commit: record.position, prepare: record.position };
  }

  private toEvent(record: FakeRecord) {
    return {
      streamId: record.streamId,
      id: record.id,
      type: record.type,
      isJson: record.isJson,
      revision: record.revision,
      created: record.created,
      data: record.data,
      metadata: record.metadata,
      position: this.positionOf(record),
    };
  }

  private async roundTrip(grpcPath: boolean): Promise<void> {
    await new Promise((resolve) => setImmediate(resolve));
    if (this.down || this.disposed) {
      // Appends go through gRPC, which reports an unreachable server as a plain error with code 14.
      if (grpcPath) throw Object.assign(new Error('14 UNAVAILABLE: No connection established. Last error: connect ECONNREFUSED'), { code: 14 });
      throw new UnavailableError(undefined, 'UnavailableError');
    }
  }
}

function filterOf(filter: ReadAllOptions['filter']): (record: FakeRecord) => boolean {
  if (!filter) return () => true;
  const subject = (record: FakeRecord) => (filter.filterOn === 'streamName' ? record.streamId : record.type);
  if ('regex' in filter) {
    const regex = new RegExp(filter.regex);
    return (record) => regex.test(subject(record));
  }
  return (record) => filter.prefixes.some((prefix) => subject(record).startsWith(prefix));
}

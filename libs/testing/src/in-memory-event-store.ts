import {
  hashEvent,
  IdempotencyViolationError,
  WrongExpectedRevisionError,
  type AppendResult,
  type Clock,
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

export interface InMemoryEventStoreOptions {
  /** Deliver every event twice to subscribers, as an at-least-once transport may. */
  deliverTwice?: boolean;
  /** Ignore `after` and always deliver from the start, as a subscriber that lost its cursor would see. */
  ignoreAfter?: boolean;
  /** Stamps `occurredAt` on events that come without one; a fixed instant by default, so runs repeat exactly. */
  clock?: Clock;
}

const fixedClock: Clock = { now: () => new Date('2025-01-01T00:00:00.000Z') };

/**
 * A test double of the ledger port with the adapters' contract: expected revisions, idempotent
 * appends by event id, global order, hash chain, catch-up then live subscriptions. Events are
 * stored and handed out as copies, as a real ledger would.
 */
export class InMemoryEventStore implements EventStore {
  /** Every event in global order (position = index + 1); for assertions, never to be mutated. */
  readonly log: RecordedEvent[] = [];
  private readonly streams = new Map<string, RecordedEvent[]>();
  private readonly byEventId = new Map<string, RecordedEvent>();
  private readonly wakers = new Set<() => void>();
  private readonly subscriptions = new Set<Subscription>();
  private readonly clock: Clock;
  private closed = false;

  constructor(private readonly options: InMemoryEventStoreOptions = {}) {
    this.clock = options.clock ?? fixedClock;
  }

  async appendToStream(streamId: string, events: NewEvent[], options: { expectedRevision?: ExpectedRevision } = {}): Promise<AppendResult> {
    this.assertOpen();
    validateBatch(streamId, events);
    const stream = this.streams.get(streamId) ?? [];
    const actual = stream.length - 1;
    const retry = this.findRetry(streamId, events, actual);
    if (retry) return retry;
    checkExpectedRevision(streamId, options.expectedRevision ?? 'any', actual);

    let prevHash = stream.at(-1)?.hash ?? null;
    let revision = actual;
    for (const event of events) {
      revision += 1;
      const supplied = toJson(event.metadata ?? {});
      const occurredAt = typeof supplied.occurredAt === 'string' ? supplied.occurredAt : this.clock.now().toISOString();
      const metadata = { ...supplied, prevHash, occurredAt };
      const data = toJson(event.data);
      const hash = hashEvent({ streamId, revision, eventId: event.eventId, type: event.type, data, metadata });
      const recorded: RecordedEvent = { eventId: event.eventId, type: event.type, data, metadata, streamId, revision, position: BigInt(this.log.length + 1), hash };
      this.log.push(recorded);
      stream.push(recorded);
      this.byEventId.set(recorded.eventId, recorded);
      prevHash = hash;
    }
    this.streams.set(streamId, stream);
    for (const wake of this.wakers) wake();
    return { appended: true, nextExpectedRevision: revision, position: BigInt(this.log.length) };
  }

  async readStream(streamId: string, options: ReadStreamOptions = {}): Promise<RecordedEvent[]> {
    this.assertOpen();
    const stream = this.streams.get(streamId) ?? [];
    const selected =
      options.direction === 'backwards'
        ? stream.filter((event) => event.revision <= (options.fromRevision ?? Number.MAX_SAFE_INTEGER)).reverse()
        : stream.filter((event) => event.revision >= (options.fromRevision ?? 0));
    return selected.slice(0, options.maxCount).map(copy);
  }

  async readAll(options: ReadAllOptions = {}): Promise<RecordedEvent[]> {
    this.assertOpen();
    return this.log.slice(Number(options.after ?? 0n)).slice(0, options.maxCount).map(copy);
  }

  async headPosition(): Promise<bigint> {
    this.assertOpen();
    return BigInt(this.log.length);
  }

  subscribeToAll(handler: EventHandler, options: SubscribeOptions & { onError?: (error: unknown) => void } = {}): Subscription {
    this.assertOpen();
    let cursor = this.options.ignoreAfter ? 0n : (options.after ?? 0n);
    const prefix = options.streamPrefix ?? '';
    let closing = false;
    let wake: () => void = () => undefined;
    let markCaughtUp: () => void = () => undefined;
    let failCaughtUp: (error: unknown) => void = () => undefined;
    const caughtUp = new Promise<void>((resolve, reject) => {
      markCaughtUp = resolve;
      failCaughtUp = reject;
    });
    caughtUp.catch(() => undefined);
    const waker = (): void => wake();
    this.wakers.add(waker);
    const loop = (async () => {
      try {
        while (!closing) {
          // Everything up to the head taken here is scanned, so caughtUp covers what existed at the start.
          const scannedTo = BigInt(this.log.length);
          const next = this.log.slice(Number(cursor), Number(scannedTo)).filter((event) => event.streamId.startsWith(prefix));
          for (const event of next) {
            if (closing) return;
            await handler(copy(event));
            if (this.options.deliverTwice) await handler(copy(event));
            cursor = event.position;
          }
          if (scannedTo > cursor) cursor = scannedTo;
          markCaughtUp();
          if (closing) return;
          await new Promise<void>((resolve) => {
            wake = resolve;
            if (BigInt(this.log.length) > cursor) resolve();
          });
        }
      } catch (error) {
        failCaughtUp(error);
        options.onError?.(error);
      } finally {
        this.wakers.delete(waker);
      }
    })();
    const subscription: Subscription = {
      caughtUp,
      close: async () => {
        closing = true;
        wake();
        await loop;
        this.subscriptions.delete(subscription);
      },
    };
    this.subscriptions.add(subscription);
    return subscription;
  }

  /** Stops every subscription (awaiting handlers in flight); later calls are refused. */
  async close(): Promise<void> {
    this.closed = true;
    await Promise.all([...this.subscriptions].map((subscription) => subscription.close()));
  }

  private assertOpen(): void {
    if (this.closed) throw new Error('the in-memory ledger is closed');
  }

  /** The same rule as the SQLite adapter: a batch already in this stream, consecutively and in order, is a retry. */
  private findRetry(streamId: string, events: NewEvent[], actual: number): AppendResult | undefined {
    const found = events.map((event) => this.byEventId.get(event.eventId));
    const existing = found.filter((event): event is RecordedEvent => event !== undefined);
    if (existing.length === 0) return undefined;
    const elsewhere = existing.find((event) => event.streamId !== streamId);
    if (elsewhere) {
      throw new IdempotencyViolationError(streamId, `event ${elsewhere.eventId} already exists in stream ${elsewhere.streamId}`);
    }
    if (existing.length < events.length) {
      throw new IdempotencyViolationError(streamId, `stream ${streamId}: only ${existing.length} of ${events.length} events of this batch were appended before`);
    }
    if (existing.some((event, index) => event.revision !== existing[0]!.revision + index)) {
      throw new IdempotencyViolationError(streamId, `stream ${streamId}: the events of this batch were appended before, but not consecutively in this order`);
    }
    return { appended: false, nextExpectedRevision: actual, position: existing.at(-1)!.position };
  }
}

function validateBatch(streamId: string, events: NewEvent[]): void {
  if (events.length === 0) throw new TypeError(`stream ${streamId}: appendToStream needs at least one event`);
  const ids = new Set(events.map((event) => event.eventId));
  if (ids.size !== events.length) throw new IdempotencyViolationError(streamId, `stream ${streamId}: an event id appears twice in one batch`);
}

function checkExpectedRevision(streamId: string, expected: ExpectedRevision, actual: number): void {
  const matches =
    expected === 'any' || (expected === 'no_stream' && actual === -1) || (expected === 'stream_exists' && actual >= 0) || expected === actual;
  if (!matches) throw new WrongExpectedRevisionError(streamId, expected, actual === -1 ? 'no_stream' : actual);
}

/** What a serialising ledger would keep of a value: its JSON form. */
const toJson = <T>(value: T): T => (value === undefined ? value : (JSON.parse(JSON.stringify(value)) as T));

// Copies as the ledger hands them out: parsed from JSON, like every real store's reads (and in the
// caller's realm: structuredClone would give Jest's test files objects of another realm).
const copy = (event: RecordedEvent): RecordedEvent => ({ ...event, data: toJson(event.data), metadata: toJson(event.metadata) });

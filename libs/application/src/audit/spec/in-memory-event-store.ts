import { hashEvent } from '../../ledger/event-hash';
import type {
  AppendResult,
  EventHandler,
  EventStore,
  NewEvent,
  ReadAllOptions,
  ReadStreamOptions,
  RecordedEvent,
  SubscribeOptions,
  Subscription,
} from '../../ports/event-store.port';

export interface InMemoryEventStoreOptions {
  /** Deliver every event twice to subscribers, as an at-least-once transport may. */
  deliverTwice?: boolean;
  /** Ignore `after` and always deliver from the start, as a subscriber that lost its cursor would see. */
  ignoreAfter?: boolean;
}

/** A test double of the ledger port: global order, hash chain, catch-up then live subscriptions. */
export class InMemoryEventStore implements EventStore {
  readonly log: RecordedEvent[] = [];
  private readonly wakers = new Set<() => void>();

  constructor(private readonly options: InMemoryEventStoreOptions = {}) {}

  async appendToStream(streamId: string, events: NewEvent[]): Promise<AppendResult> {
    const stream = this.log.filter((event) => event.streamId === streamId);
    let prevHash = stream.at(-1)?.hash ?? null;
    let revision = stream.length - 1;
    for (const event of events) {
      revision += 1;
      const metadata = { ...event.metadata, prevHash, occurredAt: String(event.metadata['occurredAt'] ?? '2025-01-01T00:00:00Z') };
      const hash = hashEvent({ streamId, revision, eventId: event.eventId, type: event.type, data: event.data, metadata });
      this.log.push({ ...event, metadata, streamId, revision, position: BigInt(this.log.length + 1), hash });
      prevHash = hash;
    }
    for (const wake of this.wakers) wake();
    return { appended: true, nextExpectedRevision: revision, position: BigInt(this.log.length) };
  }

  async readStream(streamId: string, options: ReadStreamOptions = {}): Promise<RecordedEvent[]> {
    return this.log.filter((event) => event.streamId === streamId && event.revision >= (options.fromRevision ?? 0));
  }

  async readAll(options: ReadAllOptions = {}): Promise<RecordedEvent[]> {
    return this.log.filter((event) => event.position > (options.after ?? 0n)).slice(0, options.maxCount);
  }

  async headPosition(): Promise<bigint> {
    return BigInt(this.log.length);
  }

  subscribeToAll(handler: EventHandler, options: SubscribeOptions & { onError?: (error: unknown) => void } = {}): Subscription {
    let cursor = this.options.ignoreAfter ? 0n : (options.after ?? 0n);
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
          const scannedTo = BigInt(this.log.length);
          const next = this.log.filter((event) => event.position > cursor && event.streamId.startsWith(options.streamPrefix ?? ''));
          for (const event of next) {
            if (closing) return;
            await handler(event);
            if (this.options.deliverTwice) await handler(event);
            cursor = event.position;
          }
          if (scannedTo > cursor) cursor = scannedTo;
          markCaughtUp();
          if (closing) return;
          await new Promise<void>((resolve) => {
            wake = resolve;
            if (this.log.some((event) => event.position > cursor)) resolve();
          });
        }
      } catch (error) {
        failCaughtUp(error);
        options.onError?.(error);
      } finally {
        this.wakers.delete(waker);
      }
    })();
    return {
      caughtUp,
      close: async () => {
        closing = true;
        wake();
        await loop;
      },
    };
  }

  async close(): Promise<void> {}
}

import { randomUUID } from 'node:crypto';
import {
  hashEvent,
  IdempotencyViolationError,
  StoreUnavailableError,
  WrongExpectedRevisionError,
  type EventMetadata,
  type EventStore,
  type NewEvent,
  type RecordedEvent,
} from '@approvals/application';

/** A store under test and how to release it (dispose must tolerate a store that was already closed). */
export interface EventStoreUnderTest {
  store: EventStore;
  dispose(): Promise<void>;
  /** A server-backed store's connection, to cut and restore (e.g. a TcpProxy in front of the server). */
  connection?: { cut(): void; restore(): void };
}

export interface EventStoreContractOptions {
  /** The store talks to a server whose connection `createStore` lets the test cut: run the reconnection cases. */
  reconnects?: boolean;
}

/**
 * The behaviour every ledger adapter must show (SPEC section 4). `createStore` runs before each
 * test. The store need not be empty: every test writes to streams under its own random prefix and
 * reads the global order from a marker it appends first, so a shared server database works too.
 */
export function describeEventStoreContract(name: string, createStore: () => Promise<EventStoreUnderTest>, options: EventStoreContractOptions = {}): void {
  describe(`EventStore contract: ${name}`, () => {
    let store: EventStore;
    let dispose: () => Promise<void>;
    let connection: EventStoreUnderTest['connection'];
    let prefix: string;

    beforeEach(async () => {
      ({ store, dispose, connection } = await createStore());
      prefix = `ct${randomUUID().replaceAll('-', '').slice(0, 12)}-`;
    });

    afterEach(async () => {
      await dispose();
    });

    const stream = (suffix: string = randomUUID()): string => `${prefix}${suffix}`;

    /** Appends a marker outside the test's prefix; everything the test writes comes after it. */
    async function markGlobalPosition(): Promise<bigint> {
      const { position } = await store.appendToStream(`marker-${randomUUID()}`, [newEvent('MarkerSet')]);
      return position;
    }

    async function readOwnEventsAfter(after: bigint): Promise<RecordedEvent[]> {
      return (await store.readAll({ after })).filter((event) => event.streamId.startsWith(prefix));
    }

    describe('expected revision', () => {
      it('accepts no_stream only for a stream that does not exist', async () => {
        const id = stream();
        await expect(store.appendToStream(id, [newEvent('A')], { expectedRevision: 'no_stream' })).resolves.toMatchObject({
          appended: true,
          nextExpectedRevision: 0,
        });

        const conflict = await captureRejection(store.appendToStream(id, [newEvent('B')], { expectedRevision: 'no_stream' }));

        expect(conflict).toBeInstanceOf(WrongExpectedRevisionError);
        expect(conflict).toMatchObject({ streamId: id, expected: 'no_stream', actual: 0 });
      });

      it('accepts stream_exists only for a stream that exists', async () => {
        const id = stream();

        const conflict = await captureRejection(store.appendToStream(id, [newEvent('A')], { expectedRevision: 'stream_exists' }));
        expect(conflict).toBeInstanceOf(WrongExpectedRevisionError);
        expect(conflict).toMatchObject({ streamId: id, expected: 'stream_exists', actual: 'no_stream' });

        await store.appendToStream(id, [newEvent('A')]);
        await expect(
          store.appendToStream(id, [newEvent('B')], { expectedRevision: 'stream_exists' }),
        ).resolves.toMatchObject({ appended: true, nextExpectedRevision: 1 });
      });

      it('accepts an exact revision only when it is the last revision of the stream', async () => {
        const id = stream();
        const missing = await captureRejection(store.appendToStream(id, [newEvent('A')], { expectedRevision: 0 }));
        expect(missing).toMatchObject({ name: 'WrongExpectedRevisionError', expected: 0, actual: 'no_stream' });

        await store.appendToStream(id, [newEvent('A')], { expectedRevision: 'no_stream' });
        await expect(
          store.appendToStream(id, [newEvent('B'), newEvent('C')], { expectedRevision: 0 }),
        ).resolves.toMatchObject({ appended: true, nextExpectedRevision: 2 });

        const stale = await captureRejection(store.appendToStream(id, [newEvent('D')], { expectedRevision: 0 }));
        expect(stale).toBeInstanceOf(WrongExpectedRevisionError);
        expect(stale).toMatchObject({ streamId: id, expected: 0, actual: 2 });
      });

      it('accepts any revision with any', async () => {
        const id = stream();
        await store.appendToStream(id, [newEvent('A')], { expectedRevision: 'any' });
        await expect(store.appendToStream(id, [newEvent('B')], { expectedRevision: 'any' })).resolves.toMatchObject({
          nextExpectedRevision: 1,
        });
        await expect(store.appendToStream(id, [newEvent('C')])).resolves.toMatchObject({ nextExpectedRevision: 2 });
      });

      it('writes nothing when the expected revision does not match', async () => {
        const id = stream();
        await store.appendToStream(id, [newEvent('A')]);

        await expect(store.appendToStream(id, [newEvent('B'), newEvent('C')], { expectedRevision: 5 })).rejects.toBeInstanceOf(
          WrongExpectedRevisionError,
        );

        expect((await store.readStream(id)).map((event) => event.type)).toEqual(['A']);
      });

      it('lets exactly one of two writers with the same expected revision win', async () => {
        const id = stream();
        await store.appendToStream(id, [newEvent('Opened')]);

        const results = await Promise.allSettled([
          store.appendToStream(id, [newEvent('First')], { expectedRevision: 0 }),
          store.appendToStream(id, [newEvent('Second')], { expectedRevision: 0 }),
        ]);

        expect(results.filter((result) => result.status === 'fulfilled')).toHaveLength(1);
        const rejected = results.filter((result) => result.status === 'rejected');
        expect(rejected).toHaveLength(1);
        expect((rejected[0] as PromiseRejectedResult).reason).toBeInstanceOf(WrongExpectedRevisionError);
        expect(await store.readStream(id)).toHaveLength(2);
      });
    });

    describe('idempotent append by event id', () => {
      it('answers a retry of the same batch with appended: false and does not duplicate it', async () => {
        const id = stream();
        const batch = [newEvent('A'), newEvent('B')];
        const first = await store.appendToStream(id, batch, { expectedRevision: 'no_stream' });

        const retry = await store.appendToStream(id, batch, { expectedRevision: 'no_stream' });

        expect(first).toMatchObject({ appended: true, nextExpectedRevision: 1 });
        expect(retry).toEqual({ appended: false, nextExpectedRevision: 1, position: first.position });
        expect((await store.readStream(id)).map((event) => event.eventId)).toEqual(batch.map((event) => event.eventId));
      });

      it('recognises a retry after later appends and reports the current last revision', async () => {
        const id = stream();
        const batch = [newEvent('A'), newEvent('B')];
        const first = await store.appendToStream(id, batch);
        await store.appendToStream(id, [newEvent('C')]);

        const retry = await store.appendToStream(id, batch, { expectedRevision: 0 });

        expect(retry).toEqual({ appended: false, nextExpectedRevision: 2, position: first.position });
        expect(await store.readStream(id)).toHaveLength(3);
      });

      it('refuses a batch that overlaps a previous append only partly, writing nothing', async () => {
        const id = stream();
        const a = newEvent('A');
        await store.appendToStream(id, [a]);

        const overlap = await captureRejection(store.appendToStream(id, [a, newEvent('B')]));

        expect(overlap).toBeInstanceOf(IdempotencyViolationError);
        expect(overlap).toMatchObject({ streamId: id });
        expect(await store.readStream(id)).toHaveLength(1);
      });

      it('refuses the ids of a previous batch in another order', async () => {
        const id = stream();
        const [a, b] = [newEvent('A'), newEvent('B')];
        await store.appendToStream(id, [a, b]);

        await expect(store.appendToStream(id, [b, a])).rejects.toBeInstanceOf(IdempotencyViolationError);
      });

      it('refuses an event id that already exists in another stream', async () => {
        const event = newEvent('A');
        await store.appendToStream(stream(), [event]);
        const other = stream();

        await expect(store.appendToStream(other, [event])).rejects.toBeInstanceOf(IdempotencyViolationError);
        expect(await store.readStream(other)).toEqual([]);
      });
    });

    describe('metadata and hash chain', () => {
      it('round-trips data and metadata and records occurredAt', async () => {
        const id = stream();
        const metadata: EventMetadata = {
          actionId: 'act-1',
          actor: { kind: 'agent', id: 'agent-7', model: 'model-x', onBehalfOf: 'alice@example.com' },
          correlationId: randomUUID(),
          causationId: randomUUID(),
          traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01',
          policyVersion: 'v3',
          custom: { nested: [1, 'two', null, true] },
        };
        const data = { text: 'héllo ✓ 𝄞 "quoted" \\ \n', amount: 12.5, list: [1, 2, 3], empty: {}, none: null };
        const event = newEvent('ActionRequested', data, metadata);

        await store.appendToStream(id, [event]);
        const [recorded] = await store.readStream(id);

        expect(recorded).toMatchObject({ eventId: event.eventId, type: 'ActionRequested', data, streamId: id, revision: 0 });
        expect(recorded!.metadata).toMatchObject(metadata);
        expect(new Date(recorded!.metadata.occurredAt).toISOString()).toBe(recorded!.metadata.occurredAt);
        expect(typeof recorded!.position).toBe('bigint');
      });

      it('keeps an occurredAt supplied by the caller', async () => {
        const id = stream();
        await store.appendToStream(id, [newEvent('A', {}, { occurredAt: '2024-02-29T12:00:00.000Z' })]);

        const [recorded] = await store.readStream(id);

        expect(recorded!.metadata.occurredAt).toBe('2024-02-29T12:00:00.000Z');
      });

      it('chains each event to the hash of its predecessor in the stream', async () => {
        const id = stream();
        await store.appendToStream(id, [newEvent('A', { n: 1 }), newEvent('B', { n: 2 })]);
        await store.appendToStream(stream(), [newEvent('Elsewhere')]);
        await store.appendToStream(id, [newEvent('C', { n: 3 })]);
        await store.appendToStream(id, [newEvent('D', { n: 4 }, { prevHash: 'forged' })]);

        const events = await store.readStream(id);

        expect(events.map((event) => event.revision)).toEqual([0, 1, 2, 3]);
        expect(events[0]!.metadata.prevHash).toBeNull();
        for (let index = 1; index < events.length; index++) {
          expect(events[index]!.metadata.prevHash).toBe(events[index - 1]!.hash);
        }
        for (const event of events) expect(hashEvent(event)).toBe(event.hash);
        expect(new Set(events.map((event) => event.hash)).size).toBe(events.length);
      });
    });

    describe('reading a stream', () => {
      it('reads forwards, from a revision and with a maximum count', async () => {
        const id = stream();
        await store.appendToStream(id, ['A', 'B', 'C', 'D', 'E'].map((type) => newEvent(type)));
        const types = (events: RecordedEvent[]) => events.map((event) => event.type);

        expect(types(await store.readStream(id))).toEqual(['A', 'B', 'C', 'D', 'E']);
        expect(types(await store.readStream(id, { fromRevision: 2 }))).toEqual(['C', 'D', 'E']);
        expect(types(await store.readStream(id, { maxCount: 2 }))).toEqual(['A', 'B']);
        expect(types(await store.readStream(id, { fromRevision: 1, maxCount: 3 }))).toEqual(['B', 'C', 'D']);
        expect(await store.readStream(id, { fromRevision: 5 })).toEqual([]);
      });

      it('reads backwards, from the end or from a revision', async () => {
        const id = stream();
        await store.appendToStream(id, ['A', 'B', 'C', 'D', 'E'].map((type) => newEvent(type)));
        const types = (events: RecordedEvent[]) => events.map((event) => event.type);

        expect(types(await store.readStream(id, { direction: 'backwards' }))).toEqual(['E', 'D', 'C', 'B', 'A']);
        expect(types(await store.readStream(id, { direction: 'backwards', maxCount: 1 }))).toEqual(['E']);
        expect(types(await store.readStream(id, { direction: 'backwards', fromRevision: 2 }))).toEqual(['C', 'B', 'A']);
        expect(types(await store.readStream(id, { direction: 'backwards', fromRevision: 3, maxCount: 2 }))).toEqual(['D', 'C']);
      });

      it('returns [] for a stream that does not exist', async () => {
        await store.appendToStream(stream(), [newEvent('A')]);

        expect(await store.readStream(stream())).toEqual([]);
        expect(await store.readStream(stream(), { direction: 'backwards' })).toEqual([]);
      });
    });

    describe('global order', () => {
      it('orders all streams by strictly increasing positions, as appended', async () => {
        const start = await markGlobalPosition();
        const [s1, s2, s3] = [stream('one'), stream('two'), stream('three')];
        const appended: Array<{ streamId: string; position: bigint }> = [];
        for (const streamId of [s1, s2, s1, s3, s2, s1]) {
          const result = await store.appendToStream(streamId, [newEvent('Tick')]);
          appended.push({ streamId, position: result.position });
        }

        const events = await readOwnEventsAfter(start);

        expect(events.map(({ streamId, position }) => ({ streamId, position }))).toEqual(appended);
        expectStrictlyIncreasing(events.map((event) => event.position));
        expect(events[0]!.position > start).toBe(true);
        expect(events.filter((event) => event.streamId === s1).map((event) => event.revision)).toEqual([0, 1, 2]);
      });

      it('gives a multi-event append consecutive positions and reports the last one', async () => {
        const id = stream();
        const result = await store.appendToStream(id, [newEvent('A'), newEvent('B'), newEvent('C')]);

        const events = await store.readStream(id);

        expectStrictlyIncreasing(events.map((event) => event.position));
        expect(events.at(-1)!.position).toBe(result.position);
      });

      it('reports the head position: the position of the last event written', async () => {
        const before = await store.headPosition();
        const result = await store.appendToStream(stream(), [newEvent('A'), newEvent('B')]);
        const after = await store.headPosition();

        expect(typeof before).toBe('bigint');
        expect(result.position > before).toBe(true);
        expect(after >= result.position).toBe(true);
        expect(await store.readAll({ after })).toEqual([]);
      });

      it('reads all events after a position, with a maximum count', async () => {
        const id = stream();
        for (const type of ['A', 'B', 'C', 'D', 'E']) await store.appendToStream(id, [newEvent(type)]);
        const [, second] = await store.readStream(id);

        const page = await store.readAll({ after: second!.position, maxCount: 2 });
        const rest = await readOwnEventsAfter(second!.position);

        expect(page).toHaveLength(2);
        expect(page.every((event) => event.position > second!.position)).toBe(true);
        expect(page).toEqual((await store.readAll({ after: second!.position })).slice(0, 2));
        expect(rest.map((event) => event.type)).toEqual(['C', 'D', 'E']);
        expect(await store.readAll({ after: rest.at(-1)!.position, maxCount: 0 })).toEqual([]);
      });
    });

    describe('subscription to all', () => {
      it('catches up, then goes live, with no gap and no duplicate while writers append concurrently', async () => {
        const start = await markGlobalPosition();
        for (let index = 0; index < 30; index++) await store.appendToStream(stream(`backlog-${index % 3}`), [newEvent('Backlog')]);
        const delivered: RecordedEvent[] = [];
        let inFlight = 0;
        let maxInFlight = 0;
        const errors: unknown[] = [];

        const subscription = store.subscribeToAll(
          async (event) => {
            inFlight++;
            maxInFlight = Math.max(maxInFlight, inFlight);
            if (delivered.length % 7 === 0) await new Promise((resolve) => setTimeout(resolve, 1));
            delivered.push(event);
            inFlight--;
          },
          { after: start, streamPrefix: prefix, onError: (error) => errors.push(error) },
        );
        const writers = [0, 1, 2, 3].map(async (writer) => {
          for (let index = 0; index < 40; index++) {
            const batch = index % 5 === 0 ? [newEvent('Live'), newEvent('Live')] : [newEvent('Live')];
            await store.appendToStream(stream(`writer-${writer}`), batch);
            if (index % 3 === 0) await new Promise((resolve) => setImmediate(resolve));
          }
        });
        await subscription.caughtUp;
        await Promise.all(writers);
        const expected = await readOwnEventsAfter(start);
        await waitUntil(() => delivered.length >= expected.length, `delivery of ${expected.length} events`);
        await subscription.close();

        expect(expected).toHaveLength(30 + 4 * 48);
        expect(delivered.map((event) => event.position)).toEqual(expected.map((event) => event.position));
        expect(delivered).toEqual(expected);
        expect(maxInFlight).toBe(1);
        expect(errors).toEqual([]);
      }, 30_000);

      it('resolves caughtUp once the backlog that existed at the start is delivered', async () => {
        const start = await markGlobalPosition();
        for (let index = 0; index < 10; index++) await store.appendToStream(stream(), [newEvent('Backlog')]);
        const delivered: RecordedEvent[] = [];

        const subscription = store.subscribeToAll((event) => void delivered.push(event), { after: start, streamPrefix: prefix });
        await subscription.caughtUp;
        await subscription.close();

        expect(delivered).toHaveLength(10);
      });

      it('delivers only new events when started from the head position', async () => {
        const id = stream();
        await store.appendToStream(id, [newEvent('Old')]);
        const delivered: string[] = [];

        const subscription = store.subscribeToAll((event) => void delivered.push(event.type), {
          after: await store.headPosition(),
          streamPrefix: prefix,
        });
        await subscription.caughtUp;
        await store.appendToStream(id, [newEvent('New')]);
        await waitUntil(() => delivered.length >= 1, 'the live event');
        await subscription.close();

        expect(delivered).toEqual(['New']);
      });

      it('starts after a checkpoint', async () => {
        const id = stream();
        for (const type of ['A', 'B', 'C', 'D', 'E']) await store.appendToStream(id, [newEvent(type)]);
        const checkpoint = (await store.readStream(id))[2]!.position;
        const delivered: string[] = [];

        const subscription = store.subscribeToAll((event) => void delivered.push(event.type), {
          after: checkpoint,
          streamPrefix: prefix,
        });
        await subscription.caughtUp;
        await store.appendToStream(id, [newEvent('F')]);
        await waitUntil(() => delivered.length >= 3, 'the live event F');
        await subscription.close();

        expect(delivered).toEqual(['D', 'E', 'F']);
      });

      it('delivers only streams with the given prefix, and still catches up when the backlog ends elsewhere', async () => {
        const start = await markGlobalPosition();
        await store.appendToStream(stream('a-1'), [newEvent('A1')]);
        await store.appendToStream(stream('b-1'), [newEvent('B1')]);
        await store.appendToStream(stream('a-2'), [newEvent('A2')]);
        await store.appendToStream(stream('b-2'), [newEvent('B2')]);
        const delivered: string[] = [];

        const subscription = store.subscribeToAll((event) => void delivered.push(event.type), {
          after: start,
          streamPrefix: `${prefix}a-`,
        });
        await subscription.caughtUp;
        await store.appendToStream(stream('b-3'), [newEvent('B3')]);
        await store.appendToStream(stream('a-3'), [newEvent('A3')]);
        await waitUntil(() => delivered.length >= 3, 'the live event A3');
        await subscription.close();

        expect(delivered).toEqual(['A1', 'A2', 'A3']);
      });

      it('stops at the first handler error and reports it through onError', async () => {
        const start = await markGlobalPosition();
        const id = stream();
        await store.appendToStream(id, [newEvent('A'), newEvent('B'), newEvent('C')]);
        const delivered: string[] = [];
        const failure = new Error('projection failed');
        const errors: unknown[] = [];

        const subscription = store.subscribeToAll(
          (event) => {
            delivered.push(event.type);
            if (event.type === 'B') throw failure;
          },
          { after: start, streamPrefix: prefix, onError: (error) => errors.push(error) },
        );
        await waitUntil(() => errors.length > 0, 'onError');
        await store.appendToStream(id, [newEvent('D')]);
        await new Promise((resolve) => setTimeout(resolve, 50));
        await subscription.close();

        expect(errors).toEqual([failure]);
        expect(delivered).toEqual(['A', 'B']);
      });

      it('waits for the handler in flight when closed, and delivers nothing afterwards', async () => {
        const start = await markGlobalPosition();
        const id = stream();
        await store.appendToStream(id, [newEvent('A'), newEvent('B')]);
        let release!: () => void;
        const blocked = new Promise<void>((resolve) => (release = resolve));
        let finished = 0;
        const delivered: string[] = [];

        const subscription = store.subscribeToAll(
          async (event) => {
            delivered.push(event.type);
            await blocked;
            finished++;
          },
          { after: start, streamPrefix: prefix },
        );
        await waitUntil(() => delivered.length === 1, 'the first delivery');
        let closed = false;
        const closing = subscription.close().then(() => (closed = true));
        await new Promise((resolve) => setTimeout(resolve, 20));
        const closedBeforeRelease = closed;
        release();
        await closing;
        await store.appendToStream(id, [newEvent('C')]);
        await new Promise((resolve) => setTimeout(resolve, 50));

        expect(closedBeforeRelease).toBe(false);
        expect(finished).toBe(1);
        expect(delivered).toEqual(['A']);
      });
    });

    describe('volume', () => {
      it('round-trips a payload of about 1 MiB', async () => {
        const id = stream();
        const blob = 'x'.repeat(1024 * 1024);
        const data = { blob, items: Array.from({ length: 1000 }, (_, index) => ({ index, label: `item-${index}` })) };

        await store.appendToStream(id, [newEvent('Large', data)]);
        const [recorded] = await store.readStream(id);

        expect(recorded!.data).toEqual(data);
        expect(hashEvent(recorded!)).toBe(recorded!.hash);
      }, 30_000);

      it('keeps 500 streams apart', async () => {
        const start = await markGlobalPosition();
        const ids = Array.from({ length: 500 }, (_, index) => stream(`many-${index}`));
        for (const id of ids) await store.appendToStream(id, [newEvent('Opened')], { expectedRevision: 'no_stream' });
        for (const id of ids) await store.appendToStream(id, [newEvent('Closed')], { expectedRevision: 0 });

        const all = await readOwnEventsAfter(start);
        const sample = await Promise.all([ids[0]!, ids[250]!, ids[499]!].map((id) => store.readStream(id)));

        expect(all).toHaveLength(1000);
        expectStrictlyIncreasing(all.map((event) => event.position));
        expect(new Set(all.map((event) => event.streamId)).size).toBe(500);
        for (const events of sample) expect(events.map((event) => [event.type, event.revision])).toEqual([['Opened', 0], ['Closed', 1]]);
      }, 60_000);
    });

    if (options.reconnects) {
      describe('lost connections', () => {
        it('fails typed and writes nothing while the server is away, then reconnects by itself; subscribers see every event once', async () => {
          if (!connection) throw new Error('a store declared with reconnects must come with its connection');
          const id = stream();
          const delivered: string[] = [];
          const errors: unknown[] = [];
          const start = await markGlobalPosition();
          const subscription = store.subscribeToAll((event) => void delivered.push(event.type), {
            after: start,
            streamPrefix: prefix,
            onError: (error) => errors.push(error),
          });
          try {
            await store.appendToStream(id, [newEvent('A')], { expectedRevision: 'no_stream' });
            await waitUntil(() => delivered.length === 1, 'the first event');

            // while the server is away: typed errors (the edge answers "not yet"), nothing written
            connection.cut();
            expect(await captureRejection(store.appendToStream(id, [newEvent('B')], { expectedRevision: 0 }))).toBeInstanceOf(StoreUnavailableError);
            expect(await captureRejection(store.readStream(id))).toBeInstanceOf(StoreUnavailableError);
            expect(await captureRejection(store.headPosition())).toBeInstanceOf(StoreUnavailableError);
            await new Promise((resolve) => setTimeout(resolve, 300));

            // once it is back: B was never written, C follows A, and the subscriber never failed
            connection.restore();
            await expect(store.appendToStream(id, [newEvent('C')], { expectedRevision: 0 })).resolves.toMatchObject({ nextExpectedRevision: 1 });
            await waitUntil(() => delivered.length === 2, 'the event appended after the outage');
            expect(delivered).toEqual(['A', 'C']);
            expect((await store.readStream(id)).map((event) => event.type)).toEqual(['A', 'C']);
            expect(errors).toEqual([]);
          } finally {
            connection.restore();
            await subscription.close();
          }
        });
      });
    }

    describe('closing', () => {
      it('rejects operations after close', async () => {
        await store.close();

        await expect(store.appendToStream(stream(), [newEvent('A')])).rejects.toThrow(/closed/);
        await expect(store.readStream(stream())).rejects.toThrow(/closed/);
        await expect(store.readAll()).rejects.toThrow(/closed/);
        await expect(store.headPosition()).rejects.toThrow(/closed/);
      });
    });
  });
}

function newEvent(type: string, data: unknown = {}, metadata: EventMetadata = {}): NewEvent {
  return { eventId: randomUUID(), type, data, metadata };
}

async function captureRejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected the operation to be rejected, but it succeeded');
}

function expectStrictlyIncreasing(positions: bigint[]): void {
  positions.slice(1).forEach((position, index) => expect(position > positions[index]!).toBe(true));
}

async function waitUntil(condition: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

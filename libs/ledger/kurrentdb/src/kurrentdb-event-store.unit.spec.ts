import { randomUUID } from 'node:crypto';
import { hashEvent, IdempotencyViolationError, StoreUnavailableError, type NewEvent, type RecordedEvent } from '@approvals/application';
// The shared contract suite lives in the testing library; only specs, never runtime code, use it.
import { describeEventStoreContract } from '@approvals/testing';
import { LedgerClosedError } from '@approvals/ledger-core';
import { checkpointStream, KurrentDbCheckpointStore } from './kurrentdb-checkpoint-store';
import { KurrentDbConnection } from './kurrentdb-connection';
import { KurrentDbUnavailableError } from './kurrentdb-errors';
import { EVENT_ID_CLAIM_STREAM_PREFIX, KurrentDbEventStore, type KurrentDbEventStoreOptions } from './kurrentdb-event-store';
import { toKurrentEventId, toProposedEvent } from './kurrentdb-mapping';
import { FakeKurrentDbClient } from '@approvals/testing';

// The adapter's own logic (hash chain, retries, claims, paging, subscriptions) on an in-memory
// stand-in for the client. The same contract suite runs against a real server in
// kurrentdb-event-store.int.spec.ts when KURRENTDB_CONNECTION_STRING is set.

function openOnFake(fake: FakeKurrentDbClient, options: KurrentDbEventStoreOptions = {}) {
  const connection = new KurrentDbConnection(fake.client, 'kurrentdb://fake:2113');
  const events = new KurrentDbEventStore(connection, { pollIntervalMs: 50, ...options });
  return { events, checkpoints: new KurrentDbCheckpointStore(connection) };
}

describeEventStoreContract('KurrentDB adapter on an in-memory stand-in for the client (small pages)', async () => {
  const fake = new FakeKurrentDbClient();
  // Someone else's streams and KurrentDB's own events sit in $all too.
  fake.writeForeign('$stats-127.0.0.1:2113', '$statsCollected');
  fake.writeForeign('other-app-1', 'SomethingElse');
  const { events } = openOnFake(fake, { pageSize: 7 });
  // The stand-in's "server down" answers as the real client does when it cannot reach the server.
  const connection = { cut: () => void (fake.down = true), restore: () => void (fake.down = false) };
  return { store: events, connection, dispose: () => events.close() };
}, { reconnects: true });

const newEvent = (type: string, overrides: Partial<NewEvent> = {}): NewEvent => ({ eventId: randomUUID(), type, data: {}, metadata: {}, ...overrides });

async function waitUntil(condition: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

describe('KurrentDbEventStore', () => {
  let fake: FakeKurrentDbClient;
  let ledger: ReturnType<typeof openOnFake>;
  const opened: KurrentDbEventStore[] = [];
  const open = (options: KurrentDbEventStoreOptions = {}) => {
    const other = openOnFake(fake, options);
    opened.push(other.events);
    return other;
  };

  beforeEach(() => {
    fake = new FakeKurrentDbClient();
    ledger = open();
  });

  afterEach(async () => {
    await Promise.all(opened.splice(0).map((store) => store.close()));
  });

  describe('appending', () => {
    it('answers appended: false when KurrentDB silently took the batch for a duplicate of one written meanwhile', async () => {
      const batch = [newEvent('A'), newEvent('B')];
      // another instance retrying the same batch wins the race, with its own occurredAt
      fake.beforeNextAppend = {
        stream: 'action-1',
        run: () => {
          let prevHash: string | null = null;
          for (const [revision, event] of batch.entries()) {
            const proposed = toProposedEvent('action-1', revision, event, prevHash, '2020-01-01T00:00:00.000Z');
            fake.writeRaw('action-1', [proposed.data]);
            prevHash = proposed.hash;
          }
        },
      };

      const result = await ledger.events.appendToStream('action-1', batch);
      const stored = await ledger.events.readStream('action-1');

      expect(result).toEqual({ appended: false, nextExpectedRevision: 1, position: stored[1]!.position });
      expect(stored.map((event) => event.eventId)).toEqual(batch.map((event) => event.eventId));
    });

    it('answers appended: false to one of two concurrent appends of the same batch', async () => {
      let tick = 0;
      const { events } = open({ now: () => new Date(Date.UTC(2026, 0, 1, 0, 0, tick++)) });
      const batch = [newEvent('A'), newEvent('B')];

      const results = await Promise.all([events.appendToStream('action-1', batch), events.appendToStream('action-1', batch)]);

      expect(results.map((result) => result.appended).sort()).toEqual([false, true]);
      expect(results[0]!.position).toBe(results[1]!.position);
      expect((await events.readStream('action-1')).map((event) => event.eventId)).toEqual(batch.map((event) => event.eventId));
    });

    describe('meeting a concurrent writer between its read and its append', () => {
      /** Stages a valid ledger event appended by someone else just before the next append to action-1. */
      async function stageIntruder(): Promise<void> {
        const [last] = await ledger.events.readStream('action-1', { direction: 'backwards', maxCount: 1 });
        fake.beforeNextAppend = {
          stream: 'action-1',
          run: () => fake.writeRaw('action-1', [toProposedEvent('action-1', last!.revision + 1, newEvent('Intruder'), last!.hash, new Date().toISOString()).data]),
        };
      }

      it('retries an any append on the new head, keeping the chain', async () => {
        await ledger.events.appendToStream('action-1', [newEvent('A')]);
        await stageIntruder();

        const result = await ledger.events.appendToStream('action-1', [newEvent('B')]);
        const events = await ledger.events.readStream('action-1');

        expect(result).toMatchObject({ appended: true, nextExpectedRevision: 2 });
        expect(events.map((event) => event.type)).toEqual(['A', 'Intruder', 'B']);
        expect(events[2]!.metadata.prevHash).toBe(events[1]!.hash);
      });

      it('fails an exact expectation with the revision it met', async () => {
        await ledger.events.appendToStream('action-1', [newEvent('A')]);
        await stageIntruder();

        await expect(ledger.events.appendToStream('action-1', [newEvent('B')], { expectedRevision: 0 })).rejects.toMatchObject({
          name: 'WrongExpectedRevisionError',
          expected: 0,
          actual: 1,
        });
      });

      it('gives up with a conflict after maxAppendAttempts', async () => {
        const { events } = open({ maxAppendAttempts: 1 });
        await events.appendToStream('action-1', [newEvent('A')]);
        await stageIntruder();

        await expect(events.appendToStream('action-1', [newEvent('B')])).rejects.toMatchObject({
          name: 'WrongExpectedRevisionError',
          expected: 'any',
          actual: 1,
        });
      });
    });

    it('lets concurrent appends with any all succeed, each chained to the one before', async () => {
      await Promise.all(['A', 'B', 'C', 'D', 'E'].map((type) => ledger.events.appendToStream('action-1', [newEvent(type)])));

      const events = await ledger.events.readStream('action-1');

      expect(events.map((event) => event.revision)).toEqual([0, 1, 2, 3, 4]);
      for (let index = 1; index < events.length; index++) expect(events[index]!.metadata.prevHash).toBe(events[index - 1]!.hash);
      for (const event of events) expect(hashEvent(event)).toBe(event.hash);
    });

    it('reports the position of the last event of a batch, not the one the server reports for the append', async () => {
      const result = await ledger.events.appendToStream('action-1', [newEvent('A'), newEvent('B'), newEvent('C')]);

      expect(result.position).toBe((await ledger.events.readStream('action-1')).at(-1)!.position);
    });

    it('takes event ids that are not UUIDs, and recognises their retry', async () => {
      const batch = [newEvent('A', { eventId: 'evt-1' }), newEvent('B', { eventId: 'EVT-2' })];

      const first = await ledger.events.appendToStream('action-1', batch);
      const retry = await ledger.events.appendToStream('action-1', batch);

      expect((await ledger.events.readStream('action-1')).map((event) => event.eventId)).toEqual(['evt-1', 'EVT-2']);
      expect(retry).toEqual({ appended: false, nextExpectedRevision: 1, position: first.position });
      expect(fake.records.find((record) => record.streamId === 'action-1')!.id).toBe(toKurrentEventId('evt-1'));
    });

    it('claims each event id in a stream of its own, and checks ids across streams only with claims', async () => {
      const event = newEvent('A');
      await ledger.events.appendToStream('action-1', [event]);
      const unclaimed = open({ claimEventIds: false });

      await expect(ledger.events.appendToStream('action-2', [event])).rejects.toBeInstanceOf(IdempotencyViolationError);
      await expect(unclaimed.events.appendToStream('action-3', [newEvent('B'), newEvent('C')])).resolves.toMatchObject({ appended: true });
      await expect(unclaimed.events.appendToStream('action-2', [event])).resolves.toMatchObject({ appended: true });

      expect(fake.records.filter((record) => record.streamId.startsWith(EVENT_ID_CLAIM_STREAM_PREFIX))).toHaveLength(1);
    });

    it('refuses KurrentDB system stream names and the reserved metadata key', async () => {
      await expect(ledger.events.appendToStream('$action-1', [newEvent('A')])).rejects.toThrow(/system streams/);
      await expect(ledger.events.appendToStream('action-1', [newEvent('A', { metadata: { $ledger: 'mine' } })])).rejects.toThrow(/reserves/);
      expect(fake.appendCalls).toBe(0);
    });

    it('refuses to continue a stream that holds an event the ledger did not write', async () => {
      fake.writeForeign('action-1', 'WrittenByHand', { x: 1 }, { note: 'no hash' });

      await expect(ledger.events.readStream('action-1')).rejects.toThrow(/did not write \(revision 0, type WrittenByHand\)/);
      await expect(ledger.events.appendToStream('action-1', [newEvent('A')])).rejects.toThrow(/did not write/);
    });
  });

  describe('reading $all', () => {
    it('skips system streams, checkpoints, claims and events of other applications', async () => {
      fake.writeForeign('other-app-1', 'SomethingElse');
      await ledger.events.appendToStream('action-1', [newEvent('A')]);
      await ledger.checkpoints.save('projector', 1n);
      fake.writeForeign('$stats-127.0.0.1:2113', '$statsCollected');
      await ledger.events.appendToStream('action-2', [newEvent('B')]);

      const all = await ledger.events.readAll();

      expect(all.map((event) => event.type)).toEqual(['A', 'B']);
      expect(await ledger.events.headPosition()).toBe(all[1]!.position);
      expect(await ledger.events.readAll({ after: all[0]!.position, maxCount: 5 })).toEqual([all[1]]);
    });

    it('pages through many events of other applications without stopping short', async () => {
      const { events } = open({ pageSize: 3 });
      await events.appendToStream('action-1', [newEvent('A')]);
      for (let index = 0; index < 20; index++) fake.writeForeign(`other-app-${index}`, 'Noise');
      await events.appendToStream('action-1', [newEvent('B')]);

      expect((await events.readAll()).map((event) => event.type)).toEqual(['A', 'B']);
      expect((await events.readAll({ maxCount: 2 })).map((event) => event.type)).toEqual(['A', 'B']);
    });
  });

  describe('subscriptions', () => {
    it('hears of appends by another process at once through the live feed, also after the feed was cut', async () => {
      const errors: unknown[] = [];
      const reader = open({ pollIntervalMs: 60_000, onError: (error) => errors.push(error) });
      const seen: RecordedEvent[] = [];
      const subscription = reader.events.subscribeToAll((event) => void seen.push(event), { after: await reader.events.headPosition() });
      await subscription.caughtUp;

      await ledger.events.appendToStream('action-1', [newEvent('A')]);
      await waitUntil(() => seen.length === 1, 2000);
      fake.dropFeeds();
      await new Promise((resolve) => setTimeout(resolve, 50));
      await ledger.events.appendToStream('action-1', [newEvent('B')]);
      await waitUntil(() => seen.length === 2, 2000);
      await subscription.close();

      expect(seen.map((event) => event.type)).toEqual(['A', 'B']);
      expect(errors).toHaveLength(1);
    });

    it('catches up over events of other applications and system streams', async () => {
      const { events } = open({ pageSize: 2 });
      await events.appendToStream('action-1', [newEvent('A')]);
      for (let index = 0; index < 9; index++) fake.writeForeign(index % 2 ? `$system-${index}` : `other-${index}`, 'Noise');
      await events.appendToStream('action-2', [newEvent('B')]);
      for (let index = 0; index < 5; index++) fake.writeForeign(`other-tail-${index}`, 'Noise');
      const seen: string[] = [];

      const subscription = events.subscribeToAll((event) => void seen.push(event.type));
      await subscription.caughtUp;
      await subscription.close();

      expect(seen).toEqual(['A', 'B']);
    });
  });

  describe('checkpoints', () => {
    it('saves and loads positions beyond 2^53, in a $ stream limited to its last event once per name', async () => {
      expect(await ledger.checkpoints.load('projector')).toBeUndefined();

      await ledger.checkpoints.save('projector', 41n);
      await ledger.checkpoints.save('projector', 2n ** 53n + 1n);
      await ledger.checkpoints.save('relay', 7n);

      expect(await ledger.checkpoints.load('projector')).toBe(2n ** 53n + 1n);
      expect(await ledger.checkpoints.load('relay')).toBe(7n);
      expect(fake.metadata.get(checkpointStream('projector'))).toEqual({ maxCount: 1 });
      expect(fake.records.filter((record) => record.streamId === `$$${checkpointStream('projector')}`)).toHaveLength(1);
    });

    it('refuses a negative position', async () => {
      await expect(ledger.checkpoints.save('projector', -1n)).rejects.toThrow(TypeError);
    });
  });

  describe('connection', () => {
    it('says clearly that the server cannot be reached', async () => {
      fake.down = true;

      await expect(ledger.events.appendToStream('action-1', [newEvent('A')])).rejects.toBeInstanceOf(KurrentDbUnavailableError);
      await expect(ledger.events.readStream('action-1')).rejects.toThrow(/KurrentDB at kurrentdb:\/\/fake:2113 cannot be reached \(read stream action-1\)/);
      await expect(ledger.events.headPosition()).rejects.toBeInstanceOf(KurrentDbUnavailableError);
      await expect(ledger.checkpoints.load('projector')).rejects.toBeInstanceOf(KurrentDbUnavailableError);
    });

    it('keeps a subscription whose reads find the server away, and it delivers what is appended once the server is back', async () => {
      const errors: unknown[] = [];
      const delivered: string[] = [];
      const subscription = ledger.events.subscribeToAll((event) => void delivered.push(event.type), { onError: (error) => errors.push(error) });
      await subscription.caughtUp;

      fake.down = true;
      ledger.events.wake();
      await new Promise((resolve) => setTimeout(resolve, 300));
      fake.down = false;
      await ledger.events.appendToStream('action-1', [newEvent('A')]);
      ledger.events.wake();
      await waitUntil(() => delivered.length > 0);
      await subscription.close();

      // KurrentDbUnavailableError is the port's StoreUnavailableError: a pause, not a failure
      expect(new KurrentDbUnavailableError('kurrentdb://fake:2113', 'read $all', new Error('x'))).toBeInstanceOf(StoreUnavailableError);
      expect(delivered).toEqual(['A']);
      expect(errors).toEqual([]);
    });

    it('rejects every operation once closed, and disposes the client', async () => {
      await ledger.events.close();

      await expect(ledger.events.appendToStream('action-1', [newEvent('A')])).rejects.toBeInstanceOf(LedgerClosedError);
      await expect(ledger.events.readStream('action-1')).rejects.toBeInstanceOf(LedgerClosedError);
      await expect(ledger.events.readAll()).rejects.toBeInstanceOf(LedgerClosedError);
      await expect(ledger.events.headPosition()).rejects.toBeInstanceOf(LedgerClosedError);
      await expect(ledger.checkpoints.load('projector')).rejects.toBeInstanceOf(LedgerClosedError);
      await expect(ledger.checkpoints.save('projector', 1n)).rejects.toBeInstanceOf(LedgerClosedError);
      expect(() => ledger.events.subscribeToAll(() => undefined)).toThrow(LedgerClosedError);
      expect(fake.disposed).toBe(true);
      expect(fake.feeds.size).toBe(0);
    });
  });
});

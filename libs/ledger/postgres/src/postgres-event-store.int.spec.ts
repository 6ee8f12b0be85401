import { randomUUID } from 'node:crypto';
import type { Client } from 'pg';
import type { NewEvent, RecordedEvent } from '@approvals/application';
// The shared contract suite lives in the testing library; only this spec, never runtime code, uses it.
import { TcpProxy, describeEventStoreContract, testPostgresUrl, withTestPostgres } from '@approvals/testing';
import { LEDGER_PG_SCHEMA_VERSION } from './schema';
import { openPostgresLedger, type PostgresLedger } from './open-postgres-ledger';

// Against the real PostgreSQL server (127.0.0.1:5432, trust auth, database `test` unless
// APPROVALS_TEST_POSTGRES_URL says otherwise). Every ledger here lives in a schema of its own,
// dropped afterwards, so runs and tests never see each other's data.
jest.setTimeout(60_000);

const url = testPostgresUrl();
const schemas: string[] = [];
const newSchema = () => {
  const schema = `ledger_test_${randomUUID().replaceAll('-', '').slice(0, 16)}`;
  schemas.push(schema);
  return schema;
};

const admin = <T>(work: (client: Client) => Promise<T>): Promise<T> => withTestPostgres(work, url);

afterAll(async () => {
  await admin(async (client) => {
    for (const schema of schemas) await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  });
});

describeEventStoreContract(
  'PostgreSQL (own schema, small pages, through a proxy that can cut the connection)',
  async () => {
    const real = new URL(url);
    const proxy = await TcpProxy.start({ host: real.hostname, port: Number(real.port || 5432) });
    const ledger = await openPostgresLedger({ connectionString: proxy.url(url), schema: newSchema(), pageSize: 7, pollIntervalMs: 200 });
    return {
      store: ledger.events,
      connection: proxy,
      dispose: async () => {
        await ledger.close();
        await proxy.close();
      },
    };
  },
  { reconnects: true },
);

const newEvent = (type: string, data: unknown = {}): NewEvent => ({ eventId: randomUUID(), type, data, metadata: {} });

describe('PostgreSQL ledger', () => {
  let ledger: PostgresLedger;
  let schema: string;
  beforeEach(async () => {
    schema = newSchema();
    ledger = await openPostgresLedger({ connectionString: url, schema, pollIntervalMs: 60_000 });
  });
  afterEach(() => ledger.close());

  it('creates its schema by versioned migrations, once, also when several services start together', async () => {
    const others = await Promise.all([1, 2, 3].map(() => openPostgresLedger({ connectionString: url, schema })));
    await Promise.all(others.map((other) => other.close()));
    const versions = await admin((client) => client.query<{ version: number }>(`SELECT version FROM "${schema}".schema_migrations ORDER BY version`));
    expect(versions.rows.map((r) => r.version)).toEqual(Array.from({ length: LEDGER_PG_SCHEMA_VERSION }, (_, i) => i + 1));
  });

  it('refuses to change or delete an event, even for a superuser', async () => {
    await ledger.events.appendToStream('action-1', [newEvent('ActionRequested')]);
    await admin(async (client) => {
      await expect(client.query(`UPDATE "${schema}".events SET type = 'ActionApproved'`)).rejects.toThrow(/append-only/);
      await expect(client.query(`DELETE FROM "${schema}".events`)).rejects.toThrow(/append-only/);
      await expect(client.query(`TRUNCATE "${schema}".events`)).rejects.toThrow(/append-only/);
    });
    expect((await ledger.events.readStream('action-1')).map((e) => e.type)).toEqual(['ActionRequested']);
  });

  it('never lets a follower skip an event committed late by a concurrent writer', async () => {
    // given a live subscriber, and 8 writers on 8 separate connections appending at once, each
    // holding its transaction open for a random while (so commits would interleave out of order)
    const seen: RecordedEvent[] = [];
    const subscription = ledger.events.subscribeToAll((event) => void seen.push(event), { after: await ledger.events.headPosition() });
    await subscription.caughtUp;
    const writers = await Promise.all(Array.from({ length: 8 }, () => openPostgresLedger({ connectionString: url, schema, pollIntervalMs: 60_000 })));
    try {
      const perWriter = 40;
      await Promise.all(
        writers.map(async (writer, w) => {
          for (let i = 0; i < perWriter; i += 1) {
            await writer.events.appendToStream(`action-w${w}`, [newEvent('E', { w, i }), newEvent('F', { w, i })]);
            if (i % 5 === 0) await new Promise((r) => setTimeout(r, Math.random() * 5));
          }
        }),
      );
      const total = writers.length * perWriter * 2;
      const deadline = Date.now() + 20_000;
      while (seen.length < total && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));

      // then the follower saw every event exactly once, in strictly increasing positions without a hole
      expect(seen).toHaveLength(total);
      const positions = seen.map((e) => e.position);
      for (let i = 1; i < positions.length; i += 1) expect(positions[i]).toBe(positions[i - 1]! + 1n);
      // and each stream in revision order
      for (let w = 0; w < writers.length; w += 1) {
        const mine = seen.filter((e) => e.streamId === `action-w${w}`).map((e) => e.revision);
        expect(mine).toEqual(Array.from({ length: perWriter * 2 }, (_, i) => i));
      }
      expect(await ledger.events.readAll({ after: positions[0]! - 1n })).toHaveLength(total);
    } finally {
      await subscription.close();
      await Promise.all(writers.map((writer) => writer.close()));
    }
  });

  it('serves its own appends to its live subscribers without missing what another writer appended in between', async () => {
    // given a live subscriber on a store that appends itself, and a second writer on the same ledger
    const seen: RecordedEvent[] = [];
    const subscription = ledger.events.subscribeToAll((event) => void seen.push(event), { after: await ledger.events.headPosition() });
    await subscription.caughtUp;
    const other = await openPostgresLedger({ connectionString: url, schema, pollIntervalMs: 60_000 });
    try {
      // when both write at once, and then each alone
      await Promise.all([
        (async () => {
          for (let i = 0; i < 30; i += 1) await ledger.events.appendToStream(`action-own-${i % 3}`, [newEvent('Own', { i })]);
        })(),
        (async () => {
          for (let i = 0; i < 30; i += 1) await other.events.appendToStream(`action-other-${i % 3}`, [newEvent('Other', { i })]);
        })(),
      ]);
      // (the other writer last: only its notification can tell this store's subscriber about it)
      await ledger.events.appendToStream('action-own-last', [newEvent('Own', { i: 'last' })]);
      await other.events.appendToStream('action-other-last', [newEvent('Other', { i: 'last' })]);
      const deadline = Date.now() + 10_000;
      while (seen.length < 62 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));

      // then the subscriber saw all 62 events once, in position order without a hole, equal to what the server holds
      expect(seen).toHaveLength(62);
      const positions = seen.map((e) => e.position);
      for (let i = 1; i < positions.length; i += 1) expect(positions[i]).toBe(positions[i - 1]! + 1n);
      expect(seen).toEqual(await other.events.readAll({ after: positions[0]! - 1n }));
    } finally {
      await subscription.close();
      await other.close();
    }
  });

  it('keeps the hash chain and the expected revision exact when another writer moved a stream this store remembers', async () => {
    // given a store that read (and so remembers) a stream, and another store that then appends to it
    await ledger.events.appendToStream('action-r', [newEvent('ActionRequested')]);
    expect(await ledger.events.readStream('action-r')).toHaveLength(1);
    const other = await openPostgresLedger({ connectionString: url, schema, pollIntervalMs: 60_000 });
    try {
      await other.events.appendToStream('action-r', [newEvent('PolicyEvaluated')], { expectedRevision: 0 });

      // when the first store appends as if its remembered head were still the last event
      await expect(ledger.events.appendToStream('action-r', [newEvent('ActionApproved')], { expectedRevision: 0 })).rejects.toMatchObject({
        name: 'WrongExpectedRevisionError',
      });
      // and then without an expectation, and to a stream it believes empty but the other created
      expect(await ledger.events.readStream('action-new')).toEqual([]);
      await other.events.appendToStream('action-new', [newEvent('ActionRequested')]);
      const appended = await ledger.events.appendToStream('action-r', [newEvent('ActionApproved')]);
      await expect(ledger.events.appendToStream('action-new', [newEvent('ActionRequested')], { expectedRevision: 'no_stream' })).rejects.toMatchObject({
        name: 'WrongExpectedRevisionError',
      });

      // then the event went after the other writer's, chained to it, and nothing else was written
      expect(appended).toMatchObject({ appended: true, nextExpectedRevision: 2 });
      const stream = await other.events.readStream('action-r');
      expect(stream.map((e) => [e.revision, e.type])).toEqual([
        [0, 'ActionRequested'],
        [1, 'PolicyEvaluated'],
        [2, 'ActionApproved'],
      ]);
      expect(stream[2]!.metadata.prevHash).toBe(stream[1]!.hash);
      expect(stream[1]!.metadata.prevHash).toBe(stream[0]!.hash);
      expect(stream[2]!.position).toBe(appended.position);
      expect((await other.events.readStream('action-new')).map((e) => e.type)).toEqual(['ActionRequested']);
    } finally {
      await other.close();
    }
  });

  it('wakes live subscribers by notification, not by polling, and again after its listening connection was cut', async () => {
    // given a subscriber whose safety-net poll is a minute away
    const seen: string[] = [];
    const subscription = ledger.events.subscribeToAll((event) => void seen.push(event.type), { after: await ledger.events.headPosition() });
    await subscription.caughtUp;
    const writer = await openPostgresLedger({ connectionString: url, schema, pollIntervalMs: 60_000 });
    try {
      // when another process appends, the subscriber hears of it at once
      await writer.events.appendToStream('action-x', [newEvent('ActionRequested')]);
      const deadline = Date.now() + 5000;
      while (seen.length < 1 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      expect(seen).toEqual(['ActionRequested']);

      // when the server cuts every listening connection (a restart, a failover)
      await admin((client) => client.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE query ILIKE 'LISTEN %' AND pid <> pg_backend_pid()`));
      await new Promise((r) => setTimeout(r, 500));
      await writer.events.appendToStream('action-x', [newEvent('PolicyEvaluated')]);

      // then the listener reconnects by itself and the subscriber still gets the event
      const later = Date.now() + 10_000;
      while (seen.length < 2 && Date.now() < later) await new Promise((r) => setTimeout(r, 20));
      expect(seen).toEqual(['ActionRequested', 'PolicyEvaluated']);
    } finally {
      await subscription.close();
      await writer.close();
    }
  });

  it('reports an unreachable server with a clear error', async () => {
    await expect(openPostgresLedger({ connectionString: 'postgres://postgres@127.0.0.1:1/test', schema: newSchema() })).rejects.toThrow(
      /cannot open the ledger at postgres:\/\/127\.0\.0\.1:1\/test \(schema ledger_test_\w+\): .*ECONNREFUSED/,
    );
  });

  it('refuses a schema name that is not a plain identifier', async () => {
    await expect(openPostgresLedger({ connectionString: url, schema: 'x"; DROP TABLE y; --' })).rejects.toThrow(TypeError);
  });
});

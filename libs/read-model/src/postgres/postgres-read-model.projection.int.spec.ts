import { Pool } from 'pg';
import { AuditProjector, StoreUnavailableError, projectEvent } from '@approvals/application';
import { TcpProxy, testPostgresUrl } from '@approvals/testing';
import { AuditFixture, type ReadModelUnderTest } from '../spec/audit-fixture';
import { dropTestSchemas, dumpPostgresReadModel, newTestSchema, postgresBackend, withPostgres } from '../spec/postgres-backend';
import { describeProjectionScenarios } from '../spec/projection.scenarios';
import { openPostgresReadModel } from './open-postgres-read-model';
import { PostgresReadModelStore } from './postgres-read-model-store';
import { READ_MODEL_PG_SCHEMA_VERSION } from './schema';

jest.setTimeout(60_000);
afterAll(() => dropTestSchemas());

describeProjectionScenarios(postgresBackend('shared schema'));
describeProjectionScenarios(postgresBackend('own schemas'));

describe('the PostgreSQL read model schema', () => {
  const connectionString = testPostgresUrl();
  let fixture: AuditFixture;
  let schema: string;

  beforeEach(async () => {
    fixture = await AuditFixture.open(postgresBackend('shared schema'));
    schema = fixture.storage.location;
  });

  afterEach(() => fixture.close());

  it('is created by versioned migrations of its own, once, also when several services start together', async () => {
    const others = await Promise.all([1, 2, 3].map(() => openPostgresReadModel({ connectionString, schema })));
    await Promise.all(others.map((other) => other.close()));

    const { versions, ledgerVersions, indexes } = await withPostgres(async (client) => ({
      versions: (await client.query<{ version: number }>(`SELECT version FROM "${schema}".read_model_migrations ORDER BY version`)).rows.map((r) => r.version),
      ledgerVersions: (await client.query<{ version: number }>(`SELECT version FROM "${schema}".schema_migrations ORDER BY version`)).rows.length,
      indexes: (await client.query<{ indexname: string }>('SELECT indexname FROM pg_indexes WHERE schemaname = $1', [schema])).rows.map((r) => r.indexname),
    }));
    expect(versions).toEqual(Array.from({ length: READ_MODEL_PG_SCHEMA_VERSION }, (_, i) => i + 1));
    // Sharing the schema with the ledger leaves the ledger's own migrations alone.
    expect(ledgerVersions).toBeGreaterThan(0);
    expect(indexes).toEqual(
      expect.arrayContaining(['actions_newest_first', 'actions_by_agent', 'actions_by_action', 'actions_by_status', 'actions_by_environment']),
    );
  });

  it('refuses a read model written by a newer build', async () => {
    await withPostgres((client) =>
      client.query(`INSERT INTO "${schema}".read_model_migrations (version, description) VALUES ($1, 'from the future')`, [READ_MODEL_PG_SCHEMA_VERSION + 1]),
    );

    await expect(openPostgresReadModel({ connectionString, schema })).rejects.toThrow(
      /newer than this build supports .* drop the read model's tables to rebuild it from the ledger/,
    );
  });

  it('refuses a schema name that is not a plain identifier', async () => {
    await expect(openPostgresReadModel({ connectionString, schema: 'Robert"; DROP TABLE x' })).rejects.toThrow(/lower-case identifier/);
  });

  it('fails with a clear error when the server cannot be reached', async () => {
    await expect(openPostgresReadModel({ connectionString: 'postgres://postgres@127.0.0.1:1/test', schema: newTestSchema() })).rejects.toThrow(
      /cannot open the audit read model at postgres:\/\/127\.0\.0\.1:1\/test/,
    );
  });

  it('lets two projectors on one read model apply the same events without duplicating anything', async () => {
    await fixture.append({ actionId: 'a1', requestedAt: '2025-03-01T09:00:00Z' }, { actionId: 'a2', requestedAt: '2025-03-01T10:00:00Z' });
    const projected = (await fixture.ledger.events.readAll()).map((event) => projectEvent(event)!);
    const second = await openPostgresReadModel({ connectionString, schema });
    try {
      const apply = async (store: ReadModelUnderTest) => {
        const outcomes: string[] = [];
        for (const event of projected) outcomes.push(await store.apply(event));
        await store.flush();
        return outcomes;
      };
      const [first, other] = await Promise.all([apply(fixture.readModel), apply(second)]);

      expect(first.concat(other).filter((outcome) => outcome === 'applied')).toHaveLength(projected.length);
      const dump = await dumpPostgresReadModel(schema);
      expect(dump['timeline']).toHaveLength(18);
      expect(dump['checkpoint']).toEqual([{ id: 1, position: 18 }]);
    } finally {
      await second.close();
    }
  });

  it('commits consecutive events in one transaction, together with the checkpoint', async () => {
    await fixture.append({ actionId: 'a1', requestedAt: '2025-03-01T09:00:00Z' });
    const projected = (await fixture.ledger.events.readAll()).map((event) => projectEvent(event)!);
    // A store on a pool of our own, to count the connections (one per transaction) it takes.
    const pool = new Pool({ connectionString });
    const connect = jest.spyOn(pool, 'connect');
    const store = new PostgresReadModelStore(pool, schema, 'the test pool');
    // The checkpoint commits with the events it covers: any committed state has it at the last entry.
    const consistent = async () => {
      const dump = await dumpPostgresReadModel(schema);
      const positions = (dump['timeline'] as { position: number }[]).map((row) => row.position);
      expect(dump['checkpoint']).toEqual([{ id: 1, position: Math.max(0, ...positions) }]);
      return positions.length;
    };

    try {
      for (const event of projected) await store.apply(event);
      const groups = connect.mock.calls.length;
      await consistent();
      await new Promise((resolve) => setTimeout(resolve, 50));

      expect(groups).toBe(1);
      expect(await consistent()).toBe(9);
    } finally {
      await store.close();
    }
  });

  it('reports a lost server as StoreUnavailableError, and a projector on it catches up by itself once it is back', async () => {
    // given a projector whose read model is reached through a proxy
    await fixture.append({ actionId: 'a1', requestedAt: '2025-03-01T09:00:00Z' });
    const real = new URL(connectionString);
    const proxy = await TcpProxy.start({ host: real.hostname, port: Number(real.port || 5432) });
    const store = await openPostgresReadModel({ connectionString: proxy.url(connectionString), schema });
    const errors: unknown[] = [];
    const projector = new AuditProjector(fixture.ledger.events, store, { onError: (error) => errors.push(error), restartDelayMs: 50 });
    try {
      await projector.start();
      await projector.waitForPosition(9n);

      // when the read model's server becomes unreachable while events keep coming
      proxy.cut();
      await expect(store.searchActions({ limit: 10 })).rejects.toBeInstanceOf(StoreUnavailableError);
      await fixture.append({ actionId: 'a2', requestedAt: '2025-03-01T10:00:00Z' });
      const deadline = Date.now() + 10_000;
      while (errors.length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      proxy.restore();
      while ((await dumpPostgresReadModel(schema))['timeline']!.length < 18 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));

      // then the outage was reported as such, and the read model holds every entry once, checkpoint at the end
      expect(errors.length).toBeGreaterThan(0);
      expect(errors.every((error) => error instanceof StoreUnavailableError)).toBe(true);
      const dump = await dumpPostgresReadModel(schema);
      expect(dump['timeline']).toHaveLength(18);
      expect(dump['checkpoint']).toEqual([{ id: 1, position: 18 }]);
    } finally {
      await projector.stop();
      await store.close();
      await proxy.close();
    }
  });
});

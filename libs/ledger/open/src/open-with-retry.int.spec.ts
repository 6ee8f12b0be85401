import { connect, createServer, type Server } from 'node:net';
import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { testPostgresUrl } from '@approvals/testing';
import { openLedgerWithRetry } from './open-with-retry';

jest.setTimeout(30_000);

describe('openLedgerWithRetry against a PostgreSQL server that comes up late', () => {
  const schema = `ledger_test_${randomUUID().replaceAll('-', '').slice(0, 16)}`;
  afterAll(async () => {
    const client = new Client({ connectionString: testPostgresUrl() });
    await client.connect();
    await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    await client.end();
  });

  it('waits with backoff while the server refuses connections, then opens the ledger', async () => {
    // given a port where nothing listens yet; after a while a proxy to the real server opens there
    const real = new URL(testPostgresUrl());
    const probe = createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const port = (probe.address() as { port: number }).port;
    await new Promise<void>((resolve) => probe.close(() => resolve()));
    const late = new URL(testPostgresUrl());
    late.port = String(port);
    let proxy: Server | undefined;
    const retries: number[] = [];
    setTimeout(() => {
      proxy = createServer((socket) => {
        const upstream = connect(Number(real.port || 5432), real.hostname);
        socket.pipe(upstream).pipe(socket);
        socket.on('error', () => upstream.destroy());
        upstream.on('error', () => socket.destroy());
      }).listen(port, '127.0.0.1');
    }, 1200);

    // when a service opens its ledger there
    const ledger = await openLedgerWithRetry(
      { store: 'postgres', connectionString: late.toString(), schema },
      {},
      { initialDelayMs: 100, maxDelayMs: 400, onRetry: (_error, attempt) => retries.push(attempt) },
    );

    // then it retried (with growing pauses) and the ledger works once the server is there
    expect(retries.length).toBeGreaterThanOrEqual(2);
    expect(await ledger.events.headPosition()).toBe(0n);
    await ledger.close();
    await new Promise<void>((resolve) => proxy?.close(() => resolve()) ?? resolve());
  });

  it('does not retry a configuration mistake', async () => {
    await expect(openLedgerWithRetry({ store: 'postgres', connectionString: testPostgresUrl(), schema: 'Bad Name' }, {}, { initialDelayMs: 10 })).rejects.toThrow(TypeError);
  });
});

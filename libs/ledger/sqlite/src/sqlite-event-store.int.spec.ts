import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { DatabaseSync } from 'node:sqlite';
import type { NewEvent, RecordedEvent } from '@approvals/application';
// The shared contract suite lives in the testing library; only this spec, never runtime code, uses it.
import { describeEventStoreContract } from '@approvals/testing';
import { LEDGER_FILE_NAME, openSqliteLedger, type SqliteLedger } from './open-sqlite-ledger';
import { LEDGER_SCHEMA_VERSION } from './schema';

const tempDirs: string[] = [];

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'approvals-ledger-'));
  tempDirs.push(dir);
  return dir;
}

afterAll(() => {
  for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true });
});

const newEvent = (type: string, data: unknown = {}): NewEvent => ({ eventId: randomUUID(), type, data, metadata: {} });

describeEventStoreContract('SQLite (file in a temp dir, small pages)', async () => {
  const dir = tempDir();
  const ledger = openSqliteLedger({ dataDir: join(dir, 'nested', 'data'), pollIntervalMs: 50, pageSize: 7 });
  return {
    store: ledger.events,
    dispose: async () => {
      await ledger.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
});

describeEventStoreContract('SQLite (:memory:)', async () => {
  const ledger = openSqliteLedger({ file: ':memory:' });
  return { store: ledger.events, dispose: () => ledger.close() };
});

describe('SQLite ledger', () => {
  const open: SqliteLedger[] = [];
  const openLedger = (options: Parameters<typeof openSqliteLedger>[0]): SqliteLedger => {
    const ledger = openSqliteLedger(options);
    open.push(ledger);
    return ledger;
  };

  afterEach(async () => {
    await Promise.all(open.splice(0).map((ledger) => ledger.close()));
  });

  it('runs the README example', async () => {
    const dataDir = tempDir();
    const projected: string[] = [];
    const project = async (event: RecordedEvent) => void projected.push(`${event.streamId}@${event.revision} ${event.type}`);

    const ledger = openSqliteLedger({ dataDir });

    await ledger.events.appendToStream(
      'action-42',
      [{ eventId: randomUUID(), type: 'ActionRequested', data: { operation: 'export-dataset' }, metadata: { actionId: '42' } }],
      { expectedRevision: 'no_stream' },
    );

    const subscription = ledger.events.subscribeToAll(
      async (event) => {
        await project(event);
        await ledger.checkpoints.save('audit-projector', event.position);
      },
      {
        after: await ledger.checkpoints.load('audit-projector'),
        streamPrefix: 'action-',
        onError: (error) => console.error('audit projection stopped', error),
      },
    );
    await subscription.caughtUp;

    await subscription.close();
    await ledger.close();

    expect(projected).toEqual(['action-42@0 ActionRequested']);
  });

  it('creates the data directory and a WAL database with the current schema version', async () => {
    const dataDir = join(tempDir(), 'a', 'b');
    const ledger = openLedger({ dataDir });
    await ledger.close();

    const db = new DatabaseSync(join(dataDir, LEDGER_FILE_NAME));
    const pragma = (name: string) => Object.values(db.prepare(`PRAGMA ${name}`).get()!)[0];
    try {
      expect(ledger.file).toBe(join(dataDir, LEDGER_FILE_NAME));
      expect(pragma('journal_mode')).toBe('wal');
      expect(pragma('user_version')).toBe(LEDGER_SCHEMA_VERSION);
    } finally {
      db.close();
    }
  });

  it('keeps events across a reopen, and continues the stream and the hash chain', async () => {
    const dataDir = tempDir();
    const first = openLedger({ dataDir });
    await first.events.appendToStream('action-1', [newEvent('ActionRequested', { n: 1 })]);
    await first.close();

    const second = openLedger({ dataDir });
    await second.events.appendToStream('action-1', [newEvent('PolicyEvaluated')], { expectedRevision: 0 });
    const events = await second.events.readStream('action-1');

    expect(events.map((event) => [event.type, event.revision])).toEqual([['ActionRequested', 0], ['PolicyEvaluated', 1]]);
    expect(events[0]!.data).toEqual({ n: 1 });
    expect(events[1]!.metadata.prevHash).toBe(events[0]!.hash);
  });

  it('opens with synchronous FULL when power-loss durability is wanted', async () => {
    const ledger = openLedger({ dataDir: tempDir(), synchronous: 'FULL' });

    const result = await ledger.events.appendToStream('action-1', [newEvent('ActionRequested')]);

    expect(result).toMatchObject({ appended: true, nextExpectedRevision: 0 });
  });

  it('refuses a database written by a newer schema version', async () => {
    const file = join(tempDir(), 'future.sqlite');
    const db = new DatabaseSync(file);
    db.exec(`PRAGMA user_version = ${LEDGER_SCHEMA_VERSION + 1}`);
    db.close();

    expect(() => openSqliteLedger({ file })).toThrow(/newer than this build supports/);
  });

  it('refuses to update or delete a stored event', async () => {
    const file = join(tempDir(), 'ledger.sqlite');
    const ledger = openLedger({ file });
    await ledger.events.appendToStream('action-1', [newEvent('ActionRequested')]);

    const db = new DatabaseSync(file, { timeout: 1000 });
    try {
      expect(() => db.exec(`UPDATE events SET data = '{"tampered":true}'`)).toThrow(/append-only/);
      expect(() => db.exec('DELETE FROM events')).toThrow(/append-only/);
    } finally {
      db.close();
    }
  });

  it('lets a second instance on the same file see appends of the first through polling', async () => {
    const file = join(tempDir(), 'shared.sqlite');
    const writer = openLedger({ file });
    const reader = openLedger({ file, pollIntervalMs: 20 });
    await writer.events.appendToStream('action-1', [newEvent('Before')]);
    const delivered: RecordedEvent[] = [];

    const subscription = reader.events.subscribeToAll((event) => void delivered.push(event));
    await subscription.caughtUp;
    await writer.events.appendToStream('action-2', [newEvent('After1')]);
    await writer.events.appendToStream('action-1', [newEvent('After2')]);
    await waitUntil(() => delivered.length === 3);
    await subscription.close();

    expect(delivered.map((event) => event.type)).toEqual(['Before', 'After1', 'After2']);
    expect(delivered).toEqual(await writer.events.readAll());
  });

  it('serves live subscribers from its cache of recent appends, without missing writes of another instance', async () => {
    const file = join(tempDir(), 'interleaved.sqlite');
    const a = openLedger({ file, pollIntervalMs: 20 });
    const b = openLedger({ file, pollIntervalMs: 20 });
    const delivered: RecordedEvent[] = [];
    const subscription = a.events.subscribeToAll((event) => void delivered.push(event));
    await subscription.caughtUp;

    // a, a, b, a, b, b, a: each gap in a's own positions must send its readers back to the file.
    const writers = [a, a, b, a, b, b, a];
    for (const [index, writer] of writers.entries()) {
      await writer.events.appendToStream(`action-${index % 3}`, [newEvent(`E${index}`)]);
    }
    await waitUntil(() => delivered.length === writers.length);
    await subscription.close();

    expect(delivered.map((event) => event.type)).toEqual(writers.map((_, index) => `E${index}`));
    expect(delivered).toEqual(await b.events.readAll());
  });

  it('saves and loads checkpoints in the same file', async () => {
    const dataDir = tempDir();
    const ledger = openLedger({ dataDir });

    expect(await ledger.checkpoints.load('audit-projector')).toBeUndefined();
    await ledger.checkpoints.save('audit-projector', 41n);
    await ledger.checkpoints.save('audit-projector', 42n);
    await ledger.checkpoints.save('outbox-relay', 2n ** 53n + 1n);
    await ledger.close();
    const reopened = openLedger({ dataDir });

    expect(await reopened.checkpoints.load('audit-projector')).toBe(42n);
    expect(await reopened.checkpoints.load('outbox-relay')).toBe(2n ** 53n + 1n);
  });

  it('rejects checkpoint and subscription calls once closed', async () => {
    const ledger = openLedger({ file: ':memory:' });
    await ledger.close();

    await expect(ledger.checkpoints.load('x')).rejects.toThrow(/closed/);
    await expect(ledger.checkpoints.save('x', 1n)).rejects.toThrow(/closed/);
    expect(() => ledger.events.subscribeToAll(() => undefined)).toThrow(/closed/);
  });

  it('stops its subscriptions when the ledger closes', async () => {
    const ledger = openLedger({ file: ':memory:' });
    await ledger.events.appendToStream('action-1', [newEvent('A')]);
    const delivered: string[] = [];
    const subscription = ledger.events.subscribeToAll((event) => void delivered.push(event.type));
    await subscription.caughtUp;

    await ledger.close();
    await subscription.close();

    expect(delivered).toEqual(['A']);
  });
});

async function waitUntil(condition: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import type { NewEvent } from '@approvals/application';
import { AuditProjector } from '@approvals/application';
import type { Ledger, LedgerSpec } from '@approvals/ledger';
import type { ReadModelSpec } from '@approvals/read-model';
import { openLedger } from '@approvals/ledger';
import { openReadModel } from '@approvals/read-model';
import { actionEvents, testPostgresUrl } from '@approvals/testing';

// The ledger adapters side by side, each on a fresh store: single-event appends, batched appends,
// reading the whole log, and rebuilding the audit projection from zero.

export interface LedgerFigures {
  adapter: string;
  /** One appender, one event per append, each waiting for the previous one. */
  singleAppendsPerSecond: number;
  /** 16 appenders at once (the decision service handles many actions concurrently), one event per append. */
  concurrentSingleAppendsPerSecond: number;
  batchedEventsPerSecond: number;
  readAllEventsPerSecond: number;
  /** The audit projection from zero, into the read model a deployment on this ledger would use. */
  rebuild: { events: number; seconds: number; eventsPerSecond: number; into: 'SQLite' | 'PostgreSQL' };
}

export interface LedgerBenchOptions {
  /** Single-event appends measured (default 5000). */
  appends?: number;
  /** Events in the ledger when the projection is rebuilt (default 100,000). */
  rebuildEvents?: number;
  log?: (line: string) => void;
}

interface Target {
  adapter: string;
  spec: LedgerSpec;
  /** Where the rebuild writes: the read model a deployment on this ledger would use. */
  readModel: ReadModelSpec;
  cleanup: () => Promise<void>;
}

/** The adapters this run can reach: embedded always, PostgreSQL on the test server, KurrentDB when configured. */
async function targets(log: (line: string) => void): Promise<Target[]> {
  const dir = mkdtempSync(join(tmpdir(), 'approvals-ledger-bench-'));
  const list: Target[] = [
    {
      adapter: 'embedded (SQLite)',
      spec: { store: 'embedded', file: join(dir, 'ledger.sqlite') },
      readModel: { store: 'embedded', file: join(dir, 'audit-read-model.sqlite') },
      cleanup: async () => rmSync(dir, { recursive: true, force: true }),
    },
  ];
  const url = testPostgresUrl();
  const schema = `bench_${randomUUID().replaceAll('-', '').slice(0, 12)}`;
  try {
    const client = new Client({ connectionString: url, connectionTimeoutMillis: 3000 });
    await client.connect();
    await client.end();
    list.push({
      adapter: 'PostgreSQL',
      spec: { store: 'postgres', connectionString: url, schema },
      readModel: { store: 'postgres', connectionString: url, schema: `${schema}_read_model` },
      cleanup: async () => {
        const admin = new Client({ connectionString: url });
        await admin.connect();
        await admin.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
        await admin.query(`DROP SCHEMA IF EXISTS "${schema}_read_model" CASCADE`);
        await admin.end();
      },
    });
  } catch (error) {
    log(`PostgreSQL at ${new URL(url).host} is not reachable (${(error as Error).message}): skipped`);
  }
  const kurrent = process.env['KURRENTDB_CONNECTION_STRING'];
  if (kurrent) {
    const rebuildDir = mkdtempSync(join(tmpdir(), 'approvals-ledger-bench-kurrentdb-'));
    list.push({
      adapter: 'KurrentDB',
      spec: { store: 'kurrentdb', connectionString: kurrent },
      readModel: { store: 'embedded', file: join(rebuildDir, 'audit-read-model.sqlite') },
      cleanup: async () => rmSync(rebuildDir, { recursive: true, force: true }),
    });
  }
  else log('KURRENTDB_CONNECTION_STRING is not set: KurrentDB skipped');
  return list;
}

const event = (type: string, data: unknown): NewEvent => ({ eventId: randomUUID(), type, data, metadata: { actor: { kind: 'service', id: 'bench' } } });
const seconds = (start: bigint) => Number(process.hrtime.bigint() - start) / 1e9;

async function measure(ledger: Ledger, readModelSpec: ReadModelSpec, appends: number, rebuildEvents: number, log: (line: string) => void): Promise<Omit<LedgerFigures, 'adapter'>> {
  const store = ledger.events;
  // Single-event appends, one at a time, each to the next revision of one of 100 streams.
  const run = randomUUID().slice(0, 8);
  const revisions = new Map<string, number>();
  let start = process.hrtime.bigint();
  for (let i = 0; i < appends; i += 1) {
    const streamId = `action-${run}-single-${i % 100}`;
    const expected = revisions.get(streamId);
    await store.appendToStream(streamId, [event('Probed', { i })], { expectedRevision: expected ?? 'no_stream' });
    revisions.set(streamId, (expected ?? -1) + 1);
  }
  const singleAppendsPerSecond = Math.round(appends / seconds(start));
  log(`  single-event appends, one appender: ${singleAppendsPerSecond}/s`);

  // The same with 16 appenders, each on streams of its own.
  start = process.hrtime.bigint();
  await Promise.all(
    Array.from({ length: 16 }, async (_, w) => {
      for (let i = w; i < appends; i += 16) {
        const streamId = `action-${run}-conc-${w}-${i % 7}`;
        const expected = revisions.get(streamId);
        await store.appendToStream(streamId, [event('Probed', { i })], { expectedRevision: expected ?? 'no_stream' });
        revisions.set(streamId, (expected ?? -1) + 1);
      }
    }),
  );
  const concurrentSingleAppendsPerSecond = Math.round(appends / seconds(start));
  log(`  single-event appends, 16 appenders: ${concurrentSingleAppendsPerSecond}/s`);

  // Whole actions as the decision service writes them (9 events per action), one append each.
  const requestedAt = new Date().toISOString();
  const actions = Math.ceil(rebuildEvents / 9);
  start = process.hrtime.bigint();
  let written = 0;
  for (let i = 0; i < actions; i += 1) {
    const events = actionEvents({ actionId: `${run}-${i}`, requestedAt });
    await store.appendToStream(`action-${run}-${i}`, events, { expectedRevision: 'no_stream' });
    written += events.length;
  }
  const batchedEventsPerSecond = Math.round(written / seconds(start));
  log(`  batched appends (${written} events in ${actions} appends of 9): ${batchedEventsPerSecond} events/s`);

  start = process.hrtime.bigint();
  let read = 0;
  for (let after = 0n; ; ) {
    const page = await store.readAll({ after, maxCount: 1000 });
    if (page.length === 0) break;
    read += page.length;
    after = page.at(-1)!.position;
  }
  const readAllEventsPerSecond = Math.round(read / seconds(start));
  log(`  read all (${read} events, pages of 1000): ${readAllEventsPerSecond} events/s`);

  // Rebuild: the audit projection from zero into a fresh read model, as `rebuild` does.
  const readModel = await openReadModel(readModelSpec);
  try {
    const projector = new AuditProjector(store, readModel);
    start = process.hrtime.bigint();
    await projector.start();
    await projector.whenCaughtUp();
    const took = seconds(start);
    await projector.stop();
    log(`  projector rebuild: ${read} events in ${took.toFixed(1)} s`);
    return {
      singleAppendsPerSecond,
      concurrentSingleAppendsPerSecond,
      batchedEventsPerSecond,
      readAllEventsPerSecond,
      rebuild: { events: read, seconds: Number(took.toFixed(2)), eventsPerSecond: Math.round(read / took), into: readModelSpec.store === 'postgres' ? 'PostgreSQL' : 'SQLite' },
    };
  } finally {
    await readModel.close();
  }
}

export async function benchLedgers(options: LedgerBenchOptions = {}): Promise<LedgerFigures[]> {
  const log = options.log ?? (() => undefined);
  const figures: LedgerFigures[] = [];
  for (const target of await targets(log)) {
    log(`ledger: ${target.adapter} ...`);
    const ledger = await openLedger(target.spec);
    try {
      figures.push({ adapter: target.adapter, ...(await measure(ledger, target.readModel, options.appends ?? 5000, options.rebuildEvents ?? 100_000, log)) });
    } finally {
      await ledger.close();
      await target.cleanup();
    }
  }
  return figures;
}

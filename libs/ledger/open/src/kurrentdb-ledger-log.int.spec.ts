import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { LedgerIntegrity, LedgerProofs, verifyInclusionProofFile } from '@approvals/application';
import { testPostgresUrl } from '@approvals/testing';
import { CheckpointKeyRing } from '@approvals/keys';
import { auditLedger, catchUpLedgerLog, checkpointOnce } from './audit-ledger';
import type { Ledger, LedgerLogSpec } from './open-ledger';
import { openLogHolder } from './open-ledger';
import { KurrentDbCheckpointStore } from '@approvals/ledger-kurrentdb';
import { KurrentDbConnection } from '@approvals/ledger-kurrentdb';
import { KurrentDbEventStore } from '@approvals/ledger-kurrentdb';
import { FakeKurrentDbClient } from '@approvals/testing';

// The ledger log of a KurrentDB ledger, kept in a SQLite file or a PostgreSQL schema (the real
// one). The events go through the real adapter to the in-memory stand-in for the client (no
// KurrentDB server can run here; see FakeKurrentDbClient in libs/testing): its `$all` positions are log
// offsets with gaps between events, and `$all` holds system and foreign events too.
jest.setTimeout(60_000);

const postgresSchema = `kdb_ledger_log_${randomUUID().replaceAll('-', '').slice(0, 16)}`;

describe.each<[string, (dir: string) => LedgerLogSpec]>([
  ['in a SQLite file', (dir) => ({ store: 'embedded', file: join(dir, 'ledger-log.sqlite') })],
  ['in PostgreSQL', () => ({ store: 'postgres', connectionString: testPostgresUrl(), schema: postgresSchema })],
])('the ledger log of a KurrentDB ledger, kept %s', (_, logSpec) => {
  let dir: string;
  let fake: FakeKurrentDbClient;
  let ledger: Ledger;
  let keys: CheckpointKeyRing;

  /** As openLedger opens a KurrentDB ledger with its log, on the stand-in (again after a "restart"). */
  const open = async (): Promise<Ledger> => {
    // Closing disposed the client: a restart connects a new one to the same server.
    fake.disposed = false;
    const connection = new KurrentDbConnection(fake.client, 'kurrentdb://fake:2113');
    const events = new KurrentDbEventStore(connection, { pollIntervalMs: 50, pageSize: 16 });
    const log = logSpec(dir);
    const holder = await openLogHolder(log, {});
    return {
      spec: { store: 'kurrentdb', connectionString: 'kurrentdb://fake:2113', log },
      events,
      checkpoints: new KurrentDbCheckpointStore(connection),
      log: holder.log,
      densePositions: false,
      location: 'kurrentdb://fake:2113',
      close: async () => {
        await events.close();
        await holder.close();
      },
    };
  };
  const append = async (from: number, to: number) => {
    for (let i = from; i < to; i += 1) {
      await ledger.events.appendToStream(`action-${i % 7}`, [{ eventId: `e${i}`, type: 'Noted', data: { i }, metadata: { actionId: `a${i % 7}` } }]);
      if (i % 10 === 0) fake.writeForeign('$stats-127.0.0.1:2113', '$statsCollected'); // not ours: never a leaf
    }
  };

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'approvals-kdb-log-'));
    fake = new FakeKurrentDbClient();
    ledger = await open();
    keys = await CheckpointKeyRing.open({ keyFile: join(dir, 'keys.json'), generateIfMissing: true, origin: 'approvals.test/ledger' });
    await append(0, 70);
    expect(await catchUpLedgerLog(ledger)).toEqual([]);
  });

  afterEach(async () => {
    await ledger.close();
    rmSync(dir, { recursive: true, force: true });
    const client = new Client({ connectionString: testPostgresUrl() });
    await client.connect();
    await client.query(`DROP SCHEMA IF EXISTS "${postgresSchema}" CASCADE`);
    await client.end();
  });

  it("records each leaf's $all position, and verifies the whole ledger without a finding, also after a restart", async () => {
    const positions = (await ledger.events.readAll()).map((event) => event.position);
    expect(positions).toHaveLength(70);
    expect(positions.some((p, i) => i > 0 && p !== positions[i - 1]! + 1n)).toBe(true); // gaps, as in $all
    expect(await ledger.log!.leafPositions(0, 100)).toEqual(positions);
    expect(await ledger.log!.leafAt(positions[41]!)).toBe(41);
    expect(await ledger.log!.leafAt(positions[41]! + 1n)).toBeUndefined();

    await ledger.close();
    ledger = await open();
    await append(70, 100);
    expect(await catchUpLedgerLog(ledger)).toEqual([]);
    const report = await auditLedger(ledger);
    expect(report).toMatchObject({ events: 100, streams: 7, treeSize: 100, logSize: 100, findingsTotal: 0 });
    expect((await ledger.log!.load())!.frontier.root().toString('hex')).toBe(report.rootHash);
  });

  it('proves an action offline against a signed checkpoint, finding each leaf by its recorded position', async () => {
    await checkpointOnce(ledger, keys, []);
    await append(70, 75); // after the checkpoint: not proven by it yet
    expect(await catchUpLedgerLog(ledger)).toEqual([]);

    const proof = await new LedgerProofs(ledger.events, ledger.log!, false).inclusion('action-3');
    expect(proof).toMatchObject({ treeSize: 70, notYetCheckpointed: 1 });
    const positions = (await ledger.events.readAll()).map((event) => String(event.position));
    const leaves = [3, 10, 17, 24, 31, 38, 45, 52, 59, 66];
    expect(proof!.events.map((e) => [e.position, e.leafIndex])).toEqual(leaves.map((leaf) => [positions[leaf], leaf]));
    const verifiers = keys.verifiers();
    expect(verifyInclusionProofFile(JSON.parse(JSON.stringify(proof)), verifiers)).toMatchObject({ ok: true, events: 10 });
    // A proof that names another leaf for an event is refused.
    const moved = JSON.parse(JSON.stringify(proof)) as { events: { leafIndex: number }[] };
    moved.events[2]!.leafIndex += 1;
    expect(verifyInclusionProofFile(moved, verifiers).ok).toBe(false);

    await checkpointOnce(ledger, keys, []);
    const consistency = await new LedgerProofs(ledger.events, ledger.log!, false).consistency(70, 75);
    expect(typeof consistency).not.toBe('string');
  });

  it('finds an event removed from the middle (scavenged by an administrator), and refuses its stream at run time', async () => {
    await ledger.close();
    const removed = fake.records.findIndex((record) => record.streamId === 'action-1' && record.revision === 4n);
    const [gone] = fake.records.splice(removed, 1);
    ledger = await open();

    const report = await auditLedger(ledger);
    const next = (await ledger.events.readStream('action-1')).find((event) => event.revision === 5)!;
    // Positions have gaps anyway, so a gap says nothing; the stream's chain and the tree do.
    expect(report.findings.map((f) => [f.kind, f.position])).toEqual(
      expect.arrayContaining([
        ['CHAIN_BROKEN', next.position],
        ['TREE_MISMATCH', undefined],
      ]),
    );
    expect(next.position).toBeGreaterThan(gone!.position);
    expect(report.findings.some((f) => f.kind === 'POSITION_GAP')).toBe(false);
    const integrity = new LedgerIntegrity(ledger.log!, () => undefined);
    expect(await integrity.check('action-1', await ledger.events.readStream('action-1'))).toMatchObject({ kind: 'CHAIN_BROKEN' });
    expect(await integrity.check('action-2', await ledger.events.readStream('action-2'))).toBeUndefined();
  });

  it('finds a deleted stream and a stream cut short by $maxCount', async () => {
    await ledger.close();
    for (let i = fake.records.length - 1; i >= 0; i -= 1) if (fake.records[i]!.streamId === 'action-5') fake.records.splice(i, 1);
    // $maxCount 3: reads of the stream begin at revision 7 of 9 at once, and a scavenge removes the
    // older events from $all too.
    fake.metadata.set('action-6', { maxCount: 3 });
    for (let i = fake.records.length - 1; i >= 0; i -= 1) if (fake.records[i]!.streamId === 'action-6' && fake.records[i]!.revision < 7n) fake.records.splice(i, 1);
    ledger = await open();

    const report = await auditLedger(ledger);
    expect(report.findings).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ kind: 'STREAM_MISSING', streamId: 'action-5', revision: 9 }),
        expect.objectContaining({ kind: 'CHAIN_BROKEN', streamId: 'action-6', revision: 7 }),
      ]),
    );
    const integrity = new LedgerIntegrity(ledger.log!, () => undefined);
    expect(await integrity.check('action-5', await ledger.events.readStream('action-5'))).toMatchObject({ kind: 'STREAM_MISSING' });
    expect(await integrity.check('action-6', await ledger.events.readStream('action-6'))).toMatchObject({ kind: 'CHAIN_BROKEN' });
  });
});

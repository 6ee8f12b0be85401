import { copyFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { LedgerFinding, NewEvent } from '@approvals/application';
import { Checkpointer, TreeReader, openCheckpoint, verifyConsistency, verifyLedger } from '@approvals/application';
import { CheckpointKeyRing, rotateCheckpointKeys } from '@approvals/keys';
import { catchUpLedgerLog } from './audit-ledger';
import type { Ledger } from './open-ledger';
import { openLedger } from './open-ledger';
import { FileWitness } from '@approvals/ledger-core';

// Signed checkpoints on the embedded ledger, witnessed by an append-only file: each new checkpoint
// must extend the last one in the file, so a rolled-back ledger is refused by the witness and
// found by the start-up check.
describe('signed checkpoints and the file witness', () => {
  let dir: string;
  let file: string;
  let witnessFile: string;
  let ledger: Ledger;
  let keys: CheckpointKeyRing;
  let findings: LedgerFinding[];
  let errors: unknown[];

  const append = async (count: number) => {
    for (let i = 0; i < count; i += 1) {
      const event: NewEvent = { eventId: `e-${Math.random().toString(36).slice(2)}`, type: 'Noted', data: { i }, metadata: {} };
      await ledger.events.appendToStream(`action-${i % 5}`, [event]);
    }
    await catchUpLedgerLog(ledger);
  };
  const checkpointer = () =>
    new Checkpointer(ledger.log!, new TreeReader(ledger.events, ledger.log!, true), keys, [new FileWitness(witnessFile, () => keys.verifiers())], {
      everyEvents: 1000,
      intervalMs: 60_000,
      onFinding: (finding) => findings.push(finding),
      onError: (error) => errors.push(error),
    });
  const witnessed = () =>
    readFileSync(witnessFile, 'utf8')
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { size: number; rootHash: string; note: string; from?: number; consistency: string[] });

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'approvals-checkpoints-'));
    file = join(dir, 'ledger.sqlite');
    witnessFile = join(dir, 'witness', 'checkpoints.jsonl');
    ledger = await openLedger({ store: 'embedded', file });
    keys = await CheckpointKeyRing.open({ keyFile: join(dir, 'keys.json'), generateIfMissing: true, origin: 'approvals.test/ledger' });
    findings = [];
    errors = [];
  });

  afterEach(async () => {
    await ledger.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('signs, records and witnesses each checkpoint, every one proven consistent with the one before', async () => {
    const checkpoints = checkpointer();
    await checkpoints.start();
    await append(40);
    await checkpoints.checkpoint(true);
    await append(25);
    await checkpoints.stop(); // signs a last checkpoint of what grew

    const lines = witnessed();
    expect(lines.map((line) => [line.size, line.from])).toEqual([
      [40, undefined],
      [65, 40],
    ]);
    const opened = openCheckpoint(lines[1]!.note, keys.verifiers());
    expect(opened.checkpoint).toMatchObject({ origin: 'approvals.test/ledger', size: 65 });
    expect(opened.checkpoint.rootHash.toString('base64')).toBe(lines[1]!.rootHash);
    const proof = lines[1]!.consistency.map((hash) => Buffer.from(hash, 'base64'));
    expect(verifyConsistency(40, 65, Buffer.from(lines[0]!.rootHash, 'base64'), opened.checkpoint.rootHash, proof)).toBe(true);
    expect((await ledger.log!.checkpoints(0, 10)).map((c) => c.size)).toEqual([40, 65]);
    expect([findings, errors]).toEqual([[], []]);
  });

  it('keeps verifying checkpoints signed before a key rotation', async () => {
    let checkpoints = checkpointer();
    await checkpoints.start();
    await append(10);
    await checkpoints.stop();
    await rotateCheckpointKeys(join(dir, 'keys.json'));
    keys = await CheckpointKeyRing.open({ keyFile: join(dir, 'keys.json'), generateIfMissing: false, origin: 'approvals.test/ledger' });
    checkpoints = checkpointer();
    await checkpoints.start();
    await append(10);
    await checkpoints.stop();

    expect(keys.verifierKeys()).toHaveLength(2);
    for (const line of witnessed()) expect(openCheckpoint(line.note, keys.verifiers()).checkpoint.size).toBe(line.size);
    expect([findings, errors]).toEqual([[], []]);
  });

  it('signs with a staged key only from its signFrom, so a replica that does not know it yet still verifies', async () => {
    const keyFile = join(dir, 'keys.json');
    const before = await CheckpointKeyRing.open({ keyFile, generateIfMissing: false, origin: 'approvals.test/ledger' });
    const signFrom = new Date(Date.now() + 60_000);
    await rotateCheckpointKeys(keyFile, { signFrom });
    let now = Date.now();
    const staged = await CheckpointKeyRing.open({ keyFile, generateIfMissing: false, origin: 'approvals.test/ledger', now: () => now });
    const checkpoint = { size: 1, rootHash: Buffer.alloc(32, 7) };
    expect(openCheckpoint(staged.sign(checkpoint), before.verifiers()).checkpoint.size).toBe(1);
    now = signFrom.getTime();
    expect(() => openCheckpoint(staged.sign(checkpoint), before.verifiers())).toThrow();
    expect(openCheckpoint(staged.sign(checkpoint), staged.verifiers()).checkpoint.size).toBe(1);
  });

  it('refuses a checkpoint of a rolled-back ledger, and the start-up check finds it behind the witness', async () => {
    let checkpoints = checkpointer();
    await checkpoints.start();
    await append(20);
    await checkpoints.stop();
    await ledger.close();
    copyFileSync(file, join(dir, 'backup.sqlite'));
    ledger = await openLedger({ store: 'embedded', file });
    checkpoints = checkpointer();
    await checkpoints.start();
    await append(15);
    await checkpoints.stop();
    expect(witnessed().map((line) => line.size)).toEqual([20, 35]);

    // The database administrator restores the backup, and the service goes on from there.
    await ledger.close();
    copyFileSync(join(dir, 'backup.sqlite'), file);
    rmSync(`${file}-wal`, { force: true });
    rmSync(`${file}-shm`, { force: true });
    ledger = await openLedger({ store: 'embedded', file });
    const latest = await new FileWitness(witnessFile, () => keys.verifiers()).latest();
    const report = await verifyLedger(ledger.events, ledger.log, { densePositions: true, witnessed: [{ ...latest!, source: 'file' }] });
    expect(report.findings).toEqual([expect.objectContaining({ kind: 'CHECKPOINT_MISMATCH', detail: expect.stringContaining('recorded 35 events, but the ledger holds only 20') })]);

    const after = checkpointer();
    await after.start();
    await append(30); // more than the witness holds, with another history
    await after.stop();
    expect(findings).toEqual([expect.objectContaining({ kind: 'CHECKPOINT_MISMATCH', detail: expect.stringContaining('does not extend the checkpoint of 35 events') })]);
    expect(witnessed().at(-1)!.size).toBe(35);
  });
});

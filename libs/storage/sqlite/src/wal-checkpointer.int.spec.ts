import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { Worker } from 'node:worker_threads';
import { WalCheckpointer } from './wal-checkpointer';
import { useWriteAheadLog } from './write-ahead-log';

/** A reader in a thread of its own, reading without pause until told to stop (as the projector reads the ledger). */
const readerSource = `
const { workerData } = require('node:worker_threads');
const { DatabaseSync } = require('node:sqlite');
const db = new DatabaseSync(workerData.file, { timeout: 5000 });
const count = db.prepare('SELECT count(*) AS n FROM t');
while (Atomics.load(workerData.stop, 0) === 0) count.get();
db.close();
`;

const walSize = (file: string) => {
  try {
    return statSync(`${file}-wal`).size;
  } catch {
    return 0;
  }
};

describe('WalCheckpointer', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'wal-checkpointer-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const waitFor = async (condition: () => boolean, timeoutMs = 5000) => {
    const deadline = Date.now() + timeoutMs;
    while (!condition() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    return condition();
  };

  it('moves committed pages from the write-ahead log into the database file in the background', async () => {
    const file = join(dir, 'data.sqlite');
    const db = new DatabaseSync(file);
    db.exec('PRAGMA journal_mode = WAL; PRAGMA wal_autocheckpoint = 0; CREATE TABLE t (v TEXT)');
    const insert = db.prepare('INSERT INTO t (v) VALUES (?)');
    for (let i = 0; i < 2000; i += 1) insert.run('x'.repeat(200));
    const before = statSync(file).size;
    expect(statSync(`${file}-wal`).size).toBeGreaterThan(400_000);

    const errors: Error[] = [];
    const checkpointer = WalCheckpointer.start([file], { intervalMs: 20, onError: (e) => errors.push(e) });
    try {
      expect(await waitFor(() => statSync(file).size > before + 400_000)).toBe(true);
    } finally {
      await checkpointer.stop();
      db.close();
    }
    expect(errors).toEqual([]);
  });

  it('keeps the log under its bound under steady writes and reads; without the bound it grows past it', async () => {
    const maxWalBytes = 8 * 2 ** 20;
    /**
     * Writes for `ms` (batches of 100 rows from this thread) while another thread keeps reading,
     * as the projector does, with a checkpointer of `bound`; returns the largest log seen.
     */
    const sustained = async (name: string, bound: number, ms: number) => {
      const file = join(dir, name);
      // As our stores open their files: writers wait for a lock rather than fail.
      const writer = new DatabaseSync(file, { timeout: 5000 });
      useWriteAheadLog(writer, { autoCheckpoint: false });
      writer.exec('CREATE TABLE t (v TEXT)');
      const insert = writer.prepare('INSERT INTO t (v) VALUES (?)');
      const stop = new Int32Array(new SharedArrayBuffer(4));
      const reader = new Worker(readerSource, { eval: true, workerData: { file, stop } });
      const checkpointer = WalCheckpointer.start([file], { intervalMs: 50, maxWalBytes: bound });
      let largest = 0;
      let written = 0;
      const until = Date.now() + ms;
      try {
        while (Date.now() < until) {
          writer.exec('BEGIN IMMEDIATE');
          for (let i = 0; i < 100; i += 1) insert.run('x'.repeat(500));
          writer.exec('COMMIT');
          written += 100 * 500;
          largest = Math.max(largest, walSize(file));
          await new Promise((r) => setTimeout(r, 1));
        }
      } finally {
        Atomics.store(stop, 0, 1);
        await new Promise((r) => reader.once('exit', r));
        await checkpointer.stop();
        writer.close();
      }
      return { largest, written, truncations: checkpointer.statusOf(file)?.truncations ?? 0 };
    };

    const bounded = await sustained('bounded.sqlite', maxWalBytes, 5000);
    const unbounded = await sustained('unbounded.sqlite', 2 ** 40, 5000);

    // enough was written to break the bound several times over
    expect(bounded.written).toBeGreaterThan(3 * maxWalBytes);
    expect(bounded.truncations).toBeGreaterThan(0);
    expect(bounded.largest).toBeLessThanOrEqual(maxWalBytes);
    // and PASSIVE checkpoints alone, under the same load, let the log grow past it
    expect(unbounded.largest).toBeGreaterThan(maxWalBytes);
  }, 30_000);

  it('tells when a reader that never ends keeps a log over its bound, instead of blocking writers for long', async () => {
    // given a reader holding one snapshot open, as a stuck query would
    const file = join(dir, 'held.sqlite');
    const writer = new DatabaseSync(file, { timeout: 5000 });
    useWriteAheadLog(writer, { autoCheckpoint: false });
    writer.exec('CREATE TABLE t (v TEXT)');
    const reader = new DatabaseSync(file);
    reader.exec('BEGIN');
    reader.prepare('SELECT count(*) FROM t').get();
    const over: number[] = [];
    const checkpointer = WalCheckpointer.start([file], { intervalMs: 10, maxWalBytes: 2 ** 20, truncateWaitMs: 20, onOverBound: (_f, bytes) => over.push(bytes) });
    try {
      // when more than the bound is written
      const insert = writer.prepare('INSERT INTO t (v) VALUES (?)');
      writer.exec('BEGIN IMMEDIATE');
      for (let i = 0; i < 4000; i += 1) insert.run('x'.repeat(500));
      writer.exec('COMMIT');
      // then the truncation gives up (after 20 ms, and is tried again only after a pause), writes go on, and the excess is told once
      const deadline = Date.now() + 5000;
      while (over.length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      expect(over).toHaveLength(1);
      expect(over[0]).toBeGreaterThan(2 ** 20);
      expect(checkpointer.statusOf(file)?.blocked).toBeGreaterThan(0);
      const started = Date.now();
      for (let i = 0; i < 50; i += 1) {
        insert.run('one more');
        await new Promise((r) => setTimeout(r, 10));
      }
      // (50 writes 10 ms apart: with a truncation tried at every look, they would wait 20 ms each)
      expect(Date.now() - started).toBeLessThan(50 * 10 + 500);
    } finally {
      reader.exec('COMMIT');
      await checkpointer.stop();
      reader.close();
      writer.close();
    }
  });

  it('reports a file it cannot checkpoint instead of failing silently', async () => {
    const errors: string[] = [];
    const missingDir = join(dir, 'no-such-dir', 'data.sqlite');
    const checkpointer = WalCheckpointer.start([missingDir], { intervalMs: 20, onError: (e) => errors.push(e.message) });
    expect(await waitFor(() => errors.length > 0)).toBe(true);
    expect(errors[0]).toContain('no-such-dir');
    await checkpointer.stop().catch(() => undefined);
  });
});

import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { WalCheckpointer } from './wal-checkpointer';

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

  it('reports a file it cannot checkpoint instead of failing silently', async () => {
    const errors: string[] = [];
    const missingDir = join(dir, 'no-such-dir', 'data.sqlite');
    const checkpointer = WalCheckpointer.start([missingDir], { intervalMs: 20, onError: (e) => errors.push(e.message) });
    expect(await waitFor(() => errors.length > 0)).toBe(true);
    expect(errors[0]).toContain('no-such-dir');
    await checkpointer.stop().catch(() => undefined);
  });
});

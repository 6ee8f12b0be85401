import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { repoRoot } from '@approvals/testing';
import type * as Ledger from './index';
import type * as LedgerSqlite from '@approvals/ledger-sqlite';

// The threads run compiled code (their worker file is JavaScript): the build's, as `approvals audit
// verify` runs it. The same ledger is verified on this thread alone and spread over worker threads
// in small segments, clean and then tampered with: the reports must be the same.
// eslint-disable-next-line @typescript-eslint/no-require-imports -- a module of dist/, loaded at run time
const { auditLedger, catchUpLedgerLog, openLedger } = require(join(repoRoot(), 'dist', 'libs', 'ledger', 'open', 'src')) as typeof Ledger;
// eslint-disable-next-line @typescript-eslint/no-require-imports -- a module of dist/, loaded at run time
const { sqliteSegments } = require(join(repoRoot(), 'dist', 'libs', 'ledger', 'sqlite', 'src')) as typeof LedgerSqlite;

describe('audit verify in worker threads (embedded ledger)', () => {
  let dir: string;
  let file: string;
  const threaded = { threads: 2, segmentSize: 97, minEvents: 0 };

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'approvals-verify-threads-'));
    file = join(dir, 'ledger.sqlite');
    const ledger = await openLedger({ store: 'embedded', file });
    // 40 streams interleaved over 2,000 events: every stream spans many segments.
    for (let i = 0; i < 1000; i += 1) {
      await ledger.events.appendToStream(`action-${i % 40}`, [
        { eventId: `e${i}-a`, type: 'Noted', data: { i, text: 'é ✓ \u{1F600}' }, metadata: { i } },
        { eventId: `e${i}-b`, type: 'Noted', data: { i, again: true }, metadata: {} },
      ]);
    }
    expect(await catchUpLedgerLog(ledger)).toEqual([]);
    await ledger.close();
  });

  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  async function verifyBothWays() {
    const ledger = await openLedger({ store: 'embedded', file });
    try {
      const progress: number[] = [];
      const inThreads = await auditLedger(ledger, { threads: threaded, onProgress: (verified) => progress.push(verified) });
      const alone = await auditLedger(ledger, { threads: { threads: 0 } });
      return { inThreads, alone, progress };
    } finally {
      await ledger.close();
    }
  }

  it('hands back every segment in order, checked by the threads', async () => {
    const segments = sqliteSegments(file, threaded)(0n, 2000n, true);
    expect(segments).toBeDefined();
    const seen: [bigint, bigint, number][] = [];
    for await (const segment of segments!) seen.push([segment.firstPosition, segment.lastPosition, segment.events]);
    expect(seen).toHaveLength(Math.ceil(2000 / 97));
    seen.forEach(([first, last, events], i) => {
      expect(first).toBe(BigInt(i * 97 + 1));
      expect(last).toBe(BigInt(Math.min((i + 1) * 97, 2000)));
      expect(events).toBe(Number(last - first) + 1);
    });
    // One thread, a small range, or no compiled entry: the caller checks page by page itself.
    expect(sqliteSegments(file, { threads: 0 })(0n, 2000n, true)).toBeUndefined();
    expect(sqliteSegments(file, { threads: 2 })(0n, 2000n, true)).toBeUndefined();
  });

  it('reports a clean ledger exactly as a run on one thread does', async () => {
    const { inThreads, alone, progress } = await verifyBothWays();
    expect(inThreads).toEqual(alone);
    expect(inThreads).toMatchObject({ events: 2000, streams: 40, treeSize: 2000, logSize: 2000, findingsTotal: 0, findings: [] });
    expect(progress.length).toBeGreaterThan(10); // after each segment
    expect(progress.at(-1)).toBe(2000);
  });

  it('finds the same changes at the same positions: edited data, a removed event, two events swapped across segments', async () => {
    const db = new DatabaseSync(file);
    db.exec('DROP TRIGGER events_append_only_update; DROP TRIGGER events_append_only_delete');
    db.exec(`UPDATE events SET data = '{"i":999}' WHERE position = 300`);
    db.exec('DELETE FROM events WHERE position = 777');
    // Positions 1000 and 1100 sit in different segments; swapping their rows reorders two events.
    db.exec(`UPDATE events SET position = -1 WHERE position = 1000;
             UPDATE events SET position = 1000 WHERE position = 1100;
             UPDATE events SET position = 1100 WHERE position = -1;`);
    db.exec(`UPDATE events SET metadata = 'not json' WHERE position = 1500`);
    db.close();

    const { inThreads, alone } = await verifyBothWays();
    expect(inThreads).toEqual(alone);
    const at = inThreads.findings.map((f) => [f.kind, f.position]);
    expect(at).toEqual(
      expect.arrayContaining([
        ['HASH_MISMATCH', 300n],
        ['POSITION_GAP', 777n],
        ['CHAIN_BROKEN', 1000n],
        ['HASH_MISMATCH', 1500n],
      ]),
    );
    expect(inThreads.findings.find((f) => f.position === 1500n)!.detail).toContain('not JSON');
    expect(inThreads.findingsTotal).toBe(inThreads.findings.length);
  });
});

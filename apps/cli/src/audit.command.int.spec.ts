import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { CheckpointKeyRing } from '@approvals/keys';
import { FileWitness } from '@approvals/ledger-core';
import { catchUpLedgerLog, checkpointOnce, openLedger } from '@approvals/ledger';
import { runCli } from './cli';

// `approvals audit verify` on a real embedded ledger file: clean, then tampered with.
describe('approvals audit verify', () => {
  let dir: string;
  let file: string;

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'approvals-audit-cli-'));
    file = join(dir, 'ledger.sqlite');
    const ledger = await openLedger({ store: 'embedded', file });
    for (let i = 0; i < 30; i += 1) {
      await ledger.events.appendToStream(`action-${i % 7}`, [{ eventId: `e${i}`, type: 'Noted', data: { i }, metadata: {} }]);
    }
    expect(await catchUpLedgerLog(ledger)).toEqual([]);
    await ledger.close();
  });

  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  async function verify(...extra: string[]) {
    const out: string[] = [];
    const err: string[] = [];
    const progress: string[] = [];
    const code = await runCli(['audit', 'verify', '--ledger', file, ...extra], {
      io: { out: (t) => out.push(t), err: (t) => err.push(t), progress: (t) => progress.push(t) },
    });
    return { code, out: out.join('\n'), err: err.join('\n'), progress };
  }

  it('passes a clean ledger: exit 0, the tree and its root, no inconsistency', async () => {
    const { code, out, progress } = await verify();

    expect(code).toBe(0);
    expect(out).toMatch(
      /^verified 30 events in 7 streams in [\d.]+ s \([\d,]+ events\/s\)\ntree: 30 leaves, root [0-9a-f]{64}\nthe ledger log holds 30 of them\ncheckpoints checked: 0 \(signatures not checked: give --key\)\nno inconsistency found$/,
    );
    expect(progress.at(-1)).toBe(''); // the status line is cleared at the end
  });

  it('exits 1 and names the first bad position; --json gives one summary object', async () => {
    const db = new DatabaseSync(file);
    db.exec("DROP TRIGGER events_append_only_update; UPDATE events SET data = '{\"i\":999}' WHERE position = 12");
    db.close();

    const human = await verify();
    expect(human.code).toBe(1);
    expect(human.out).toContain('1 inconsistency found; the first at position 12:');
    expect(human.out).toContain('HASH_MISMATCH at stream action-4, revision 1, position 12');

    const json = await verify('--json');
    expect(json.code).toBe(1);
    expect(JSON.parse(json.out)).toMatchObject({ events: 30, treeSize: 30, findings: [{ kind: 'HASH_MISMATCH', position: '12', streamId: 'action-4', revision: 1 }] });
  });

  it('checks recorded checkpoints (signatures with --key) and witness files', async () => {
    const keys = await CheckpointKeyRing.open({ keyFile: join(dir, 'keys.json'), generateIfMissing: true, origin: 'approvals.test/ledger' });
    const ledger = await openLedger({ store: 'embedded', file });
    const witnessFile = join(dir, 'witness.jsonl');
    await checkpointOnce(ledger, keys, [new FileWitness(witnessFile, () => keys.verifiers())]);
    await ledger.close();
    const key = keys.verifierKeys()[0]!;

    const clean = await verify('--key', key, '--witness', witnessFile);
    expect(clean.code).toBe(0);
    expect(clean.out).toContain('checkpoints checked: 2 (1 signatures)');

    const db = new DatabaseSync(file);
    db.exec("UPDATE log_checkpoints SET note = replace(note, '\n30\n', '\n31\n')");
    db.close();
    const forged = await verify('--key', key);
    expect(forged.code).toBe(1);
    expect(forged.out).toContain('CHECKPOINT_MISMATCH: the checkpoint recorded at 30 events does not verify');
  });

  it('verifies incrementally from a recorded checkpoint (--since), and finds what changed after it', async () => {
    const keys = await CheckpointKeyRing.open({ keyFile: join(dir, 'keys.json'), generateIfMissing: true, origin: 'approvals.test/ledger' });
    const ledger = await openLedger({ store: 'embedded', file });
    await checkpointOnce(ledger, keys, []);
    for (let i = 30; i < 42; i += 1) {
      await ledger.events.appendToStream(`action-${i % 7}`, [{ eventId: `e${i}`, type: 'Noted', data: { i }, metadata: {} }]);
    }
    expect(await catchUpLedgerLog(ledger)).toEqual([]);
    await ledger.close();

    const clean = await verify('--since', '30');
    expect(clean.code).toBe(0);
    expect(clean.out).toMatch(/^verified 12 events after the checkpoint at 30 events in 7 streams/);

    const db = new DatabaseSync(file);
    db.exec("DROP TRIGGER events_append_only_update; UPDATE events SET data = '{\"i\":-1}' WHERE position = 35");
    db.close();
    const changed = await verify('--since', '30');
    expect(changed.code).toBe(1);
    expect(changed.out).toContain('HASH_MISMATCH at stream action-6, revision 4, position 35');
    expect((await verify('--since', '31')).err).toContain('no checkpoint was recorded at 31 events');
  });

  it('refuses a ledger it cannot check, with a usage error', async () => {
    const { code, err } = await (async () => {
      const errors: string[] = [];
      const exit = await runCli(['audit', 'verify', '--ledger', 'esdb://localhost:2113'], { io: { out: () => undefined, err: (t) => errors.push(t) } });
      return { code: exit, err: errors.join('\n') };
    })();
    expect(code).toBe(2);
    expect(err).toContain('a KurrentDB ledger keeps its log in PostgreSQL or a file: give it with --log <file|postgres-url>');
    const other: string[] = [];
    expect(await runCli(['audit', 'verify', '--ledger', 'mongodb://localhost'], { io: { out: () => undefined, err: (t) => other.push(t) } })).toBe(2);
    expect(other.join('\n')).toContain('--ledger must be a SQLite file, a postgres:// URL or a kurrentdb:// connection string');
  });
});

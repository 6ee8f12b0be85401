import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import type { LedgerFinding, NewEvent, WitnessedCheckpoint } from '@approvals/application';
import { LedgerIntegrity, LogKeeper, hashEvent, verifyLedger } from '@approvals/application';
import { openSqliteLedger, type SqliteLedger } from './open-sqlite-ledger';

// The ledger log on the embedded store: its keeper follows the ledger, the run-time check refuses
// streams that disagree with it, and `verifyLedger` finds each kind of tampering by someone with
// access to the database file, at the position where it happened.

const event = (type: string, data: Record<string, unknown> = {}): NewEvent => ({ eventId: `${type}-${Math.random().toString(36).slice(2)}`, type, data, metadata: {} });

/** Three streams, interleaved: action-a (4 events), action-b (3), policy-history (2). Positions 1..9. */
async function fill(ledger: SqliteLedger): Promise<void> {
  await ledger.events.appendToStream('action-a', [event('ActionRequested', { rows: 1 })]);
  await ledger.events.appendToStream('action-b', [event('ActionRequested', { rows: 2 })]);
  await ledger.events.appendToStream('action-a', [event('PolicyEvaluated'), event('ApprovalRequested')]);
  await ledger.events.appendToStream('policy-history', [event('PolicySetActivated')]);
  await ledger.events.appendToStream('action-b', [event('PolicyEvaluated'), event('ActionDenied')]);
  await ledger.events.appendToStream('action-a', [event('ActionApproved', { by: 'alice' })]);
  await ledger.events.appendToStream('policy-history', [event('PolicySetActivated')]);
}

async function keepLog(ledger: SqliteLedger): Promise<LedgerFinding[]> {
  const found: LedgerFinding[] = [];
  const keeper = new LogKeeper(ledger.events, ledger.log, { densePositions: true, onFinding: (f) => found.push(f), onError: (e) => found.push({ kind: 'TREE_MISMATCH', detail: String(e) }) });
  await keeper.start();
  await keeper.stop();
  return found;
}

/** Runs SQL on the file as a database administrator would: append-only triggers dropped first. */
function tamper(file: string, ...statements: string[]): void {
  const db = new DatabaseSync(file);
  db.exec('DROP TRIGGER IF EXISTS events_append_only_update; DROP TRIGGER IF EXISTS events_append_only_delete;');
  for (const sql of statements) db.exec(sql);
  db.close();
}

const positionOf = (file: string, streamId: string, revision: number): bigint => {
  const db = new DatabaseSync(file, { readOnly: true });
  const row = db.prepare('SELECT position FROM events WHERE stream_id = ? AND revision = ?').get(streamId, revision);
  db.close();
  return BigInt(row!['position'] as number);
};

describe('the ledger log on SQLite', () => {
  let dir: string;
  let file: string;
  let ledger: SqliteLedger;

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'approvals-ledger-log-'));
    file = join(dir, 'ledger.sqlite');
    ledger = openSqliteLedger({ file });
    await fill(ledger);
    expect(await keepLog(ledger)).toEqual([]);
  });

  afterEach(async () => {
    await ledger.close();
    rmSync(dir, { recursive: true, force: true });
  });

  /** The ledger as a restarted server sees it after `statements`. */
  async function reopenAfter(...statements: string[]): Promise<SqliteLedger> {
    await ledger.close();
    tamper(file, ...statements);
    ledger = openSqliteLedger({ file });
    return ledger;
  }

  const verify = (witnessed: WitnessedCheckpoint[] = []) => verifyLedger(ledger.events, ledger.log, { densePositions: true, witnessed });
  const runtimeCheck = async (streamId: string) => {
    const integrity = new LedgerIntegrity(ledger.log, () => undefined);
    return integrity.check(streamId, await ledger.events.readStream(streamId));
  };

  it('keeps the tree of every event and each stream head, and finds nothing on a clean ledger, also after more appends and a restart', async () => {
    const report = await verify();
    expect(report).toMatchObject({ events: 9, streams: 3, treeSize: 9, logSize: 9, findings: [] });
    const saved = await ledger.log.load();
    expect(saved!.frontier.root().toString('hex')).toBe(report.rootHash);
    expect(await ledger.log.streamHead('action-a')).toMatchObject({ revision: 3, leaf: 7 }); // position 8

    await ledger.close();
    ledger = openSqliteLedger({ file });
    await ledger.events.appendToStream('action-b', [event('Noted')]);
    expect(await keepLog(ledger)).toEqual([]);
    expect(await verify()).toMatchObject({ events: 10, logSize: 10, findings: [] });
    for (const stream of ['action-a', 'action-b', 'policy-history']) expect(await runtimeCheck(stream)).toBeUndefined();
  });

  it("finds an edited event's data at its position, and refuses the stream", async () => {
    const at = positionOf(file, 'action-a', 3);
    await reopenAfter(`UPDATE events SET data = '{"by":"mallory"}' WHERE position = ${at}`);

    expect((await verify()).findings[0]).toMatchObject({ kind: 'HASH_MISMATCH', streamId: 'action-a', revision: 3, position: at });
    expect(await runtimeCheck('action-a')).toMatchObject({ kind: 'HASH_MISMATCH', revision: 3 });
    expect(await runtimeCheck('action-b')).toBeUndefined();
  });

  it("finds edited metadata at its position", async () => {
    const at = positionOf(file, 'action-b', 0);
    await reopenAfter(`UPDATE events SET metadata = json_set(metadata, '$.actor', json('{"kind":"agent","id":"someone-else"}')) WHERE position = ${at}`);

    expect((await verify()).findings[0]).toMatchObject({ kind: 'HASH_MISMATCH', streamId: 'action-b', position: at });
    expect(await runtimeCheck('action-b')).toMatchObject({ kind: 'HASH_MISMATCH' });
  });

  it('finds a deleted middle event at its position', async () => {
    const at = positionOf(file, 'action-a', 1);
    await reopenAfter(`DELETE FROM events WHERE position = ${at}`);

    const { findings } = await verify();
    expect(findings[0]).toMatchObject({ kind: 'POSITION_GAP', position: at });
    expect(findings).toContainEqual(expect.objectContaining({ kind: 'CHAIN_BROKEN', streamId: 'action-a', revision: 2 }));
    expect(await runtimeCheck('action-a')).toMatchObject({ kind: 'CHAIN_BROKEN' });
  });

  it("finds a deleted tail (an approved action's last event): the stream is behind the log", async () => {
    await reopenAfter(`DELETE FROM events WHERE stream_id = 'action-a' AND revision = 3`);

    expect((await verify()).findings).toContainEqual(expect.objectContaining({ kind: 'HEAD_BEHIND_LOG', streamId: 'action-a', revision: 2 }));
    expect(await runtimeCheck('action-a')).toMatchObject({ kind: 'HEAD_BEHIND_LOG', revision: 2 });
  });

  it('finds the deleted tail of the whole ledger: the log recorded more events', async () => {
    await reopenAfter(`DELETE FROM events WHERE position = 9`);

    const { findings } = await verify();
    expect(findings).toContainEqual(expect.objectContaining({ kind: 'TREE_MISMATCH', detail: expect.stringContaining('recorded 9 events, but the ledger holds only 8') }));
    expect(findings).toContainEqual(expect.objectContaining({ kind: 'HEAD_BEHIND_LOG', streamId: 'policy-history' }));
  });

  it('finds a deleted stream', async () => {
    await reopenAfter(`DELETE FROM events WHERE stream_id = 'action-b'`);

    const { findings } = await verify();
    expect(findings[0]).toMatchObject({ kind: 'POSITION_GAP', position: 2n });
    expect(findings).toContainEqual(expect.objectContaining({ kind: 'STREAM_MISSING', streamId: 'action-b' }));
    expect(await runtimeCheck('action-b')).toMatchObject({ kind: 'STREAM_MISSING' });
  });

  it('finds two events swapped', async () => {
    const [first, second] = [positionOf(file, 'action-a', 1), positionOf(file, 'action-a', 2)];
    await reopenAfter(
      `UPDATE events SET revision = -1 WHERE position = ${first}`,
      `UPDATE events SET revision = 1 WHERE position = ${second}`,
      `UPDATE events SET revision = 2 WHERE position = ${first}`,
    );

    expect((await verify()).findings[0]).toMatchObject({ kind: 'HASH_MISMATCH', streamId: 'action-a', position: first });
    expect(await runtimeCheck('action-a')).toBeDefined();
  });

  it('finds a forged event that replaces one, even with a correct hash and link', async () => {
    const at = positionOf(file, 'action-a', 3);
    const [previous] = await ledger.events.readStream('action-a', { fromRevision: 2, maxCount: 1 });
    const metadata = { prevHash: previous!.hash, occurredAt: '2026-01-01T00:00:00.000Z' };
    const forged = { streamId: 'action-a', revision: 3, eventId: 'forged', type: 'ActionApproved', data: { by: 'mallory' }, metadata };
    await reopenAfter(
      `DELETE FROM events WHERE position = ${at}`,
      `INSERT INTO events (position, stream_id, revision, event_id, type, data, metadata, hash, recorded_at) VALUES (${at}, 'action-a', 3, 'forged', 'ActionApproved', '{"by":"mallory"}', '${JSON.stringify(metadata)}', '${hashEvent(forged)}', '2026-01-01T00:00:00.000Z')`,
    );

    const { findings } = await verify();
    expect(findings).toContainEqual(expect.objectContaining({ kind: 'TREE_MISMATCH' }));
    expect(await runtimeCheck('action-a')).toMatchObject({ kind: 'CHAIN_BROKEN', revision: 3 });
  });

  it('finds the restore of an earlier backup behind a witnessed checkpoint', async () => {
    await ledger.close();
    copyFileSync(file, join(dir, 'backup.sqlite'));
    ledger = openSqliteLedger({ file });
    await ledger.events.appendToStream('action-c', [event('ActionRequested'), event('ActionApproved')]);
    await keepLog(ledger);
    const saved = (await ledger.log.load())!;
    const witnessed = [{ size: saved.frontier.size, rootHash: saved.frontier.root(), source: 'witness.log' }];
    await ledger.close();
    copyFileSync(join(dir, 'backup.sqlite'), file);
    rmSync(`${file}-wal`, { force: true });
    ledger = openSqliteLedger({ file });

    expect((await verify(witnessed)).findings).toEqual([
      expect.objectContaining({ kind: 'CHECKPOINT_MISMATCH', detail: expect.stringContaining('the checkpoint witnessed by witness.log recorded 11 events, but the ledger holds only 9') }),
    ]);
  });

  it('records what the keeper finds on the append path, and the findings survive a restart', async () => {
    const at = positionOf(file, 'action-b', 2);
    await reopenAfter(`DELETE FROM events WHERE position > ${at - 1n}`, `DELETE FROM log_state`, `DELETE FROM log_stream_heads`);
    // A fresh keeper over the truncated ledger; then an event appended with a gap before it.
    tamper(file, `INSERT INTO sqlite_sequence (name, seq) VALUES ('events', 20) ON CONFLICT DO NOTHING`, `UPDATE sqlite_sequence SET seq = 20 WHERE name = 'events'`);
    await ledger.close();
    ledger = openSqliteLedger({ file });
    await ledger.events.appendToStream('action-z', [event('ActionRequested')]);
    const found = await keepLog(ledger);
    expect(found).toContainEqual(expect.objectContaining({ kind: 'POSITION_GAP', position: 21n }));
    expect(await ledger.log.findings(10)).toContainEqual(expect.objectContaining({ kind: 'POSITION_GAP', position: 21n }));
  });
});

import { copyFileSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { unary } from '@approvals/platform';
import type { TestSystem } from '@approvals/testing';
import { startSystem } from '@approvals/testing';
import { actionRequest, awaitOutcome, clientAs, eventually, failure } from './support';

jest.setTimeout(120_000);

/** Reads the embedded ledger file directly, as a person with access to it would. */
function query<T>(file: string, sql: string, ...params: (string | number)[]): T[] {
  const db = new DatabaseSync(file, { readOnly: true });
  try {
    return db.prepare(sql).all(...params) as T[];
  } finally {
    db.close();
  }
}

// I8, fail closed: the reproduction of issue 16. An approved action's last events are deleted
// from the ledger while the server is stopped. Before the ledger log, the action went back to
// waiting for approval and one more vote issued a second execution grant. Now the restarted
// server refuses to act on the action, says why, and reports the ledger as inconsistent.
describe('a tampered ledger, end to end (embedded mode)', () => {
  let system: TestSystem;

  afterAll(async () => {
    await system?.dispose();
  });

  it('refuses to act on an action whose approval was deleted behind its back: no second grant', async () => {
    system = await startSystem('embedded');
    const file = join(system.dataDir, 'ledger.sqlite');
    const agent = clientAs(system.addresses, 'agent-ops');
    const created = await unary(agent.intake, 'RequestAction', actionRequest({ action: 'iam.escalate', resource: { kind: 'role', id: 'admin' } }));
    const stream = `action-${created.actionId}`;
    await awaitOutcome(agent, created.actionId, 200);
    for (const approver of ['carol', 'erin']) {
      const client = clientAs(system.addresses, approver);
      await unary(client.decisions, 'CastVote', { actionId: created.actionId, decision: 'APPROVE', comment: '' });
      client.close();
    }
    expect((await awaitOutcome(agent, created.actionId)).action).toMatchObject({ status: 'APPROVED' });
    const events = query<{ revision: number; type: string }>(file, 'SELECT revision, type FROM events WHERE stream_id = ? ORDER BY revision', stream);
    const approvedAt = events.find((e) => e.type === 'ActionApproved')!.revision;
    // The log keeper has taken the whole stream.
    await eventually(
      async () => query<{ revision: number }>(file, 'SELECT revision FROM log_stream_heads WHERE stream_id = ?', stream)[0]?.revision,
      (revision) => revision === events.at(-1)!.revision,
    );
    agent.close();
    await system.stop();

    const db = new DatabaseSync(file);
    db.exec('DROP TRIGGER events_append_only_delete');
    db.prepare('DELETE FROM events WHERE stream_id = ? AND revision >= ?').run(stream, approvedAt);
    db.close();

    await system.spawn({ until: 'live' });
    const frank = clientAs(system.addresses, 'frank');
    const again = clientAs(system.addresses, 'agent-ops');
    const vote = await failure(unary(frank.decisions, 'CastVote', { actionId: created.actionId, decision: 'APPROVE', comment: '' }));
    expect(vote).toMatchObject({ status: 'DATA_LOSS', details: expect.stringContaining('disagrees with the ledger log') });
    expect(await failure(unary(again.intake, 'GetAction', { actionId: created.actionId }))).toMatchObject({ status: 'DATA_LOSS' });

    const ready = await fetch(`${system.decisionHttpUrl}/readyz`);
    expect(ready.status).toBe(503);
    expect(((await ready.json()) as { detail: string }).detail).toMatch(new RegExp(`the ledger is inconsistent .*HEAD_BEHIND_LOG at stream ${stream}`));
    expect(system.logs).toContain(`nothing more is done with action ${created.actionId}`);
    // No grant was issued again, and nothing was appended to the action.
    expect(query(file, "SELECT 1 FROM events WHERE stream_id = ? AND type = 'ExecutionGrantIssued'", stream)).toEqual([]);
    expect(query(file, 'SELECT 1 FROM events WHERE stream_id = ? AND revision >= ?', stream, approvedAt)).toEqual([]);
    frank.close();
    again.close();
  });

  it('stops acting when the ledger was rolled back behind a witnessed checkpoint (a restored backup)', async () => {
    const rolled = await startSystem('embedded');
    try {
      const file = join(rolled.dataDir, 'ledger.sqlite');
      const backup = join(rolled.dataDir, 'ledger-backup.sqlite');
      let agent = clientAs(rolled.addresses, 'agent-reporting');
      const first = await unary(agent.intake, 'RequestAction', actionRequest({ action: 'db.read' }));
      await awaitOutcome(agent, first.actionId);
      agent.close();
      await rolled.stop(); // a graceful stop signs and witnesses a last checkpoint
      copyFileSync(file, backup);

      await rolled.spawn();
      agent = clientAs(rolled.addresses, 'agent-reporting');
      const second = await unary(agent.intake, 'RequestAction', actionRequest({ action: 'db.read' }));
      await awaitOutcome(agent, second.actionId);
      agent.close();
      await rolled.stop();
      const witness = readFileSync(join(rolled.dataDir, 'witness', 'checkpoints.jsonl'), 'utf8').trim().split('\n');
      expect(witness.length).toBeGreaterThanOrEqual(2);

      copyFileSync(backup, file);
      for (const suffix of ['-wal', '-shm']) rmSync(`${file}${suffix}`, { force: true });
      await rolled.spawn({ until: 'live' });
      const ready = await eventually(
        () => fetch(`${rolled.decisionHttpUrl}/readyz`).then(async (response) => ({ status: response.status, body: (await response.json()) as { detail?: string } })),
        (r) => r.status === 503,
      );
      expect(ready.body.detail).toMatch(/CHECKPOINT_MISMATCH.*truncated or rolled back/);
      agent = clientAs(rolled.addresses, 'agent-reporting');
      expect(await failure(unary(agent.intake, 'RequestAction', actionRequest({ action: 'db.read' })))).toMatchObject({ status: 'DATA_LOSS' });
      agent.close();
    } finally {
      await rolled.dispose();
    }
  });
});

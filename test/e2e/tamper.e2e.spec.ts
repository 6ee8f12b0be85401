import { copyFileSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { Client } from 'pg';
import { unary } from '@approvals/client';
import type { TestSystem } from '@approvals/testing';
import { modes, startSystem, testPostgresUrl } from '@approvals/testing';
import { actionRequest, awaitOutcome, clientAs, eventually, failure } from './support';

jest.setTimeout(120_000);

/** The ledger's database as a person with access to it uses it: the SQLite file, or the PostgreSQL schema. */
interface LedgerAdmin {
  rows<T>(sql: string, ...params: (string | number)[]): Promise<T[]>;
  /** Runs a statement with the append-only triggers out of the way. */
  tamper(sql: string, ...params: (string | number)[]): Promise<void>;
}

function ledgerAdmin(system: TestSystem): LedgerAdmin {
  if (system.ledgerSchema === undefined) {
    const file = join(system.dataDir, 'ledger.sqlite');
    const sqlite = (sql: string) => sql.replace(/\$\d+/g, '?');
    return {
      rows: async <T>(sql: string, ...params: (string | number)[]) => {
        const db = new DatabaseSync(file, { readOnly: true });
        try {
          return db.prepare(sqlite(sql)).all(...params) as T[];
        } finally {
          db.close();
        }
      },
      tamper: async (sql, ...params) => {
        const db = new DatabaseSync(file);
        try {
          db.exec('DROP TRIGGER IF EXISTS events_append_only_delete; DROP TRIGGER IF EXISTS events_append_only_update;');
          db.prepare(sqlite(sql)).run(...params);
        } finally {
          db.close();
        }
      },
    };
  }
  const schema = system.ledgerSchema;
  const session = async <T>(work: (client: Client) => Promise<T>): Promise<T> => {
    const client = new Client({ connectionString: testPostgresUrl() });
    await client.connect();
    try {
      await client.query(`SET search_path TO "${schema}"`);
      return await work(client);
    } finally {
      await client.end();
    }
  };
  return {
    rows: (sql, ...params) => session(async (client) => (await client.query(sql, params)).rows),
    tamper: (sql, ...params) =>
      session(async (client) => {
        await client.query('SET session_replication_role = replica');
        await client.query(sql, params);
      }),
  };
}

// I8, fail closed: the reproduction of issue 16. An approved action's last events are deleted
// from the ledger while the server is stopped. Before the ledger log, the action went back to
// waiting for approval and one more vote issued a second execution grant. Now the restarted
// server refuses to act on the action, says why, and reports the ledger as inconsistent.
describe.each(modes)('a tampered ledger, end to end (%s mode)', (mode) => {
  let system: TestSystem;

  afterEach(async () => {
    await system?.dispose();
  });

  it('refuses to act on an action whose approval was deleted behind its back: no second grant', async () => {
    system = await startSystem(mode);
    const admin = ledgerAdmin(system);
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
    const events = await admin.rows<{ revision: number; type: string }>('SELECT revision, type FROM events WHERE stream_id = $1 ORDER BY revision', stream);
    const approvedAt = events.find((e) => e.type === 'ActionApproved')!.revision;
    // The log keeper has taken the whole stream.
    await eventually(
      async () => (await admin.rows<{ revision: number }>('SELECT revision FROM log_stream_heads WHERE stream_id = $1', stream))[0]?.revision,
      (revision) => revision === events.at(-1)!.revision,
    );
    agent.close();
    await system.stop();

    await admin.tamper('DELETE FROM events WHERE stream_id = $1 AND revision >= $2', stream, approvedAt);

    await system.spawn({ until: 'live' });
    const frank = clientAs(system.addresses, 'frank');
    const again = clientAs(system.addresses, 'agent-ops');
    const vote = await failure(unary(frank.decisions, 'CastVote', { actionId: created.actionId, decision: 'APPROVE', comment: '' }));
    expect(vote).toMatchObject({ status: 'DATA_LOSS', details: expect.stringContaining('disagrees with the ledger log') });
    expect(await failure(unary(again.intake, 'GetAction', { actionId: created.actionId }))).toMatchObject({ status: 'DATA_LOSS' });

    const ready = await fetch(`${system.decisionHttpUrl}/readyz`);
    expect(ready.status).toBe(503);
    expect(((await ready.json()) as { detail: string }).detail).toMatch(/the ledger is inconsistent/);
    expect(system.logs).toMatch(new RegExp(`the ledger is inconsistent; nothing more is done with action ${created.actionId}: HEAD_BEHIND_LOG`));
    // No grant was issued again, and nothing was appended to the action.
    expect(await admin.rows("SELECT 1 FROM events WHERE stream_id = $1 AND type = 'ExecutionGrantIssued'", stream)).toEqual([]);
    expect(await admin.rows('SELECT 1 FROM events WHERE stream_id = $1 AND revision >= $2', stream, approvedAt)).toEqual([]);
    frank.close();
    again.close();
  });
});

// A file copy is the embedded store's backup; PostgreSQL's restore is covered by the tamper suite.
describe('a ledger restored from an older backup (embedded mode)', () => {
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

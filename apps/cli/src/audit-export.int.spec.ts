import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CheckpointKeyRing } from '@approvals/keys';
import { catchUpLedgerLog, checkpointOnce, openLedger } from '@approvals/ledger';
import { runCli } from './cli';

// `approvals audit export` and `verify-bundle` on a real embedded ledger file.
describe('approvals audit export and verify-bundle', () => {
  let dir: string;
  let file: string;
  let key: string;

  type Appended = Parameters<Awaited<ReturnType<typeof openLedger>>['events']['appendToStream']>[1];

  const action = (id: string, agentId: string, at: string): Appended => [
    { eventId: `${id}-0`, type: 'ActionRequested', data: { actionId: id, request: { agentId, action: 'db.export', parameters: { rows: 1 } }, requestHash: 'a'.repeat(64) }, metadata: { occurredAt: at, actionId: id, actor: { kind: 'agent', id: agentId } } },
    { eventId: `${id}-1`, type: 'PolicyEvaluated', data: { actionId: id, outcome: 'DENY', policyVersion: 'sha256:v1', reasons: ['=HYPERLINK("x")'] }, metadata: { occurredAt: at, actionId: id } },
    { eventId: `${id}-2`, type: 'ActionDenied', data: { actionId: id, by: 'POLICY', reason: 'line one\nline "two", with a comma' }, metadata: { occurredAt: at, actionId: id } },
  ];

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'approvals-export-'));
    file = join(dir, 'ledger.sqlite');
    const ledger = await openLedger({ store: 'embedded', file });
    await ledger.events.appendToStream('policy-set-history', [
      { eventId: 'p1', type: 'PolicySetActivated', data: { toVersion: 'sha256:v1', trigger: 'start', source: 'policies/demo', activatedAt: '2026-12-01T00:00:00Z', activatedBy: 'decision', files: [{ name: 'exports.cedar', sha256: 'x', text: 'forbid (principal, action, resource);' }] }, metadata: {} },
    ]);
    await ledger.events.appendToStream('action-a1', action('a1', 'agent-reporting', '2026-12-01T10:00:00.000Z'));
    await ledger.events.appendToStream('action-a2', action('a2', 'agent-ops', '2026-12-02T10:00:00.000Z'));
    await ledger.events.appendToStream('action-a3', action('a3', 'agent-reporting', '2026-12-03T10:00:00.000Z'));
    expect(await catchUpLedgerLog(ledger)).toEqual([]);
    const keys = await CheckpointKeyRing.open({ keyFile: join(dir, 'keys.json'), generateIfMissing: true, origin: 'approvals.test/ledger' });
    await checkpointOnce(ledger, keys, []);
    key = keys.verifierKeys()[0]!;
    await ledger.close();
  });

  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  async function approvals(...argv: string[]) {
    const out: string[] = [];
    const err: string[] = [];
    const code = await runCli(argv, { io: { out: (t) => out.push(t), err: (t) => err.push(t) } });
    return { code, out: out.join('\n'), err: err.join('\n') };
  }

  it("exports an agent's actions in a period with the policies that decided, and the bundle verifies offline", async () => {
    const bundle = join(dir, 'bundle');
    const exported = await approvals('audit', 'export', '--ledger', file, '--out', bundle, '--agent', 'agent-reporting', '--from', '2026-12-01T00:00:00Z', '--to', '2026-12-03T00:00:00Z', '--key', key);
    expect(exported).toMatchObject({ code: 0, out: expect.stringContaining('wrote 3 events (checkpoint at 10 events, 1 policy versions)') });

    const events = readFileSync(join(bundle, 'events.jsonl'), 'utf8').trim().split('\n').map((line) => JSON.parse(line) as { streamId: string });
    expect(events.map((e) => e.streamId)).toEqual(['action-a1', 'action-a1', 'action-a1']);
    const csv = readFileSync(join(bundle, 'events.csv'), 'utf8');
    expect(csv.split('\n')[0]).toBe('position,leaf_index,occurred_at,stream_id,action_id,revision,type,actor_kind,actor_id,channel,outcome,policy_version,trace_id,hash,prev_hash');
    expect(csv).toContain('"line one\nline ""two"", with a comma"');
    expect(readFileSync(join(bundle, 'policies', 'sha256_v1', 'exports.cedar'), 'utf8')).toBe('forbid (principal, action, resource);');
    expect(readFileSync(join(bundle, 'keys.txt'), 'utf8').trim()).toBe(key);
    expect(Object.keys((JSON.parse(readFileSync(join(bundle, 'manifest.json'), 'utf8')) as { files: object }).files).sort()).toEqual(
      ['checkpoint.txt', 'events.csv', 'events.jsonl', 'keys.txt', 'policies/sha256_v1/exports.cedar', 'proofs.jsonl'],
    );

    const verified = await approvals('audit', 'verify-bundle', bundle, '--key', key);
    expect(verified).toMatchObject({ code: 0, out: expect.stringMatching(/^bundle verified: 3 events, every file as its manifest says, every event in the tree of 10 events of approvals\.test\/ledger/) });
  });

  it('refuses a bundle whose events were changed, even with a recomputed manifest sum', async () => {
    const bundle = join(dir, 'bundle');
    expect((await approvals('audit', 'export', '--ledger', file, '--out', bundle, '--action', 'a2')).code).toBe(0);
    const path = join(bundle, 'events.jsonl');
    const changed = readFileSync(path, 'utf8').replace('"outcome":"DENY"', '"outcome":"ALLOW"');
    writeFileSync(path, changed);
    expect((await approvals('audit', 'verify-bundle', bundle, '--key', key)).out).toContain('events.jsonl does not match its SHA-256 in the manifest');

    const manifestPath = join(bundle, 'manifest.json');
    const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as { files: Record<string, string> };
    manifest.files['events.jsonl'] = createHash('sha256').update(changed).digest('hex');
    writeFileSync(manifestPath, JSON.stringify(manifest));
    const refused = await approvals('audit', 'verify-bundle', bundle, '--key', key);
    expect(refused.code).toBe(1);
    expect(refused.out).not.toContain('does not match its SHA-256');
    expect(refused.out).toContain('action-a2 revision 1 (position 6): its content does not hash to');
  });

  it('refuses a folder that is not empty, and asks for --out', async () => {
    expect((await approvals('audit', 'export', '--ledger', file)).err).toContain('--out <dir> is required');
    expect((await approvals('audit', 'export', '--ledger', file, '--out', dir)).err).toContain('is not empty');
    expect(existsSync(join(dir, 'manifest.json'))).toBe(false);
  });
});

import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ApprovalsClient } from '@approvals/client';
import { unary } from '@approvals/client';
import type { TestSystem } from '@approvals/testing';
import { modes, repoRoot, startSystem } from '@approvals/testing';
import { actionRequest, awaitOutcome, clientAs, eventually } from './support';

jest.setTimeout(60_000);

// Escalation defined by policy, in both modes: a copy of the demo set in which large prod
// exports escalate to security after 2 s without a decision.
describe.each(modes)('%s mode: escalation when nobody answers', (mode) => {
  let dir: string;
  let server: TestSystem;
  let agent: ApprovalsClient;
  let carol: ApprovalsClient;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'approvals-escalation-'));
    cpSync(join(repoRoot(), 'policies', 'demo'), dir, { recursive: true });
    const file = join(dir, 'data-export.cedar');
    writeFileSync(file, readFileSync(file, 'utf8').replace('@standing("1800")', '@standing("1800")\n@escalate("2:security")'));
    server = await startSystem(mode, { env: { APPROVALS_POLICY_DIR: dir } });
    agent = clientAs(server.addresses, 'agent-reporting');
    carol = clientAs(server.addresses, 'carol');
  });

  afterAll(async () => {
    agent?.close();
    carol?.close();
    await server?.dispose();
    rmSync(dir, { recursive: true, force: true });
  });

  it('lets the fallback group approve once nobody has decided in time, and not before', async () => {
    const created = await unary(agent.intake, 'RequestAction', actionRequest({ action: 'db.export', parametersJson: '{"rows":5000}' }));
    await awaitOutcome(agent, created.actionId, 200);
    // carol is in security, not data-owners: not yet.
    expect(await unary(carol.decisions, 'CastVote', { actionId: created.actionId, decision: 'APPROVE' })).toMatchObject({ accepted: false, rejectionReason: 'NOT_ELIGIBLE' });

    const inbox = await eventually(
      () => unary(carol.decisions, 'ListPending', { onlyMine: true, limit: 100 }),
      (r) => r.items.some((i) => i.actionId === created.actionId),
      15_000,
    );
    expect(inbox.items.map((i) => i.actionId)).toContain(created.actionId);
    expect(await unary(carol.decisions, 'CastVote', { actionId: created.actionId, decision: 'APPROVE', comment: 'covering for the data owners' })).toMatchObject({
      accepted: true,
      status: 'APPROVED',
    });
    const timeline = await eventually(
      () => unary(carol.audit, 'GetTimeline', { actionId: created.actionId }),
      (t) => t.entries.some((e) => e.type === 'ActionApproved'),
    );
    const types = timeline.entries.map((e) => e.type);
    expect(types.indexOf('ApprovalEscalated')).toBeGreaterThan(-1);
    expect(types.indexOf('ApprovalEscalated')).toBeLessThan(types.lastIndexOf('VoteCast'));
    expect(timeline.entries.find((e) => e.type === 'ApprovalEscalated')?.summary).toContain('security may now approve too');
  });
});

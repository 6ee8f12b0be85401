import { join } from 'node:path';
import type { Clock, GrantIssuer } from '@approvals/application';
import { DecisionService, randomIds } from '@approvals/application';
import type { ActionRequest, ApprovalRequirement } from '@approvals/domain';
import { repoRoot } from '@approvals/testing';
import { loadDirectory } from '@approvals/identity';
import { openSqliteLedger, type SqliteLedger } from './open-sqlite-ledger';

// The decision service keeps recently used actions folded in memory. These tests run it on the
// real embedded ledger with a second writer behind its back, as after a rebalance in
// distributed mode: the cache must never let a stale view win.
describe('DecisionService on the embedded ledger', () => {
  const directory = loadDirectory(join(repoRoot(), 'policies', 'demo', 'directory.json'));
  const clock: Clock = { now: () => new Date('2026-01-01T10:00:00.000Z') };
  const grants: GrantIssuer = { issue: async (claims) => ({ token: `token-${claims.grantId}`, expiresAt: new Date('2026-01-01T10:05:00Z') }) };
  const request: ActionRequest = {
    agentId: 'agent-ops',
    model: 'm',
    action: 'iam.escalate',
    resource: { kind: 'role', id: 'admin' },
    environment: 'prod',
    parameters: {},
    justification: 'test',
    idempotencyKey: 'k1',
  };
  const twoFromSecurity: ApprovalRequirement = { steps: [{ group: 'security', minApprovals: 2 }], ttlSeconds: 600, denyEndsRequest: true };
  const service = { kind: 'service' as const, id: 'test' };
  let ledger: SqliteLedger;

  beforeEach(() => (ledger = openSqliteLedger({ file: ':memory:' })));
  afterEach(() => ledger.close());

  const decisionService = () => new DecisionService({ store: ledger.events, grants, directory, clock, ids: randomIds });
  const vote = (decisions: DecisionService, approverId: string) =>
    decisions.execute(
      'a1',
      (now) => ({
        type: 'CastVote',
        data: { actionId: 'a1', approver: { id: approverId, groups: decisions.approverGroups(approverId), channel: 'api' }, decision: 'APPROVE' },
        meta: { now },
      }),
      { actor: { kind: 'approver', id: approverId } },
    );

  it('reloads and decides again when another writer appended since it cached the action', async () => {
    const first = decisionService();
    await first.execute('a1', (now) => ({ type: 'RequestAction', data: { actionId: 'a1', request, requestHash: 'h1' }, meta: { now } }), { actor: service });
    await first.execute(
      'a1',
      (now) => ({
        type: 'RecordEvaluation',
        data: { actionId: 'a1', outcome: 'REQUIRE_APPROVAL', policyVersion: 'v1', determiningPolicies: ['p'], reasons: ['r'], requirement: twoFromSecurity, requestHash: 'h1' },
        meta: { now },
      }),
      { actor: service },
    );

    // Another decision instance records carol's vote; `first` still has the action cached without it.
    const carol = await vote(decisionService(), 'carol');
    expect(carol.ok && carol.value.state.status).toBe('awaiting_approval');

    const dave = await vote(first, 'dave');
    expect(dave.ok && dave.value.state).toMatchObject({ status: 'final', outcome: 'APPROVED', approvedBy: ['carol', 'dave'] });
    const types = (await ledger.events.readStream('action-a1')).map((e) => e.type);
    expect(types).toEqual(['ActionRequested', 'PolicyEvaluated', 'ApprovalRequested', 'VoteCast', 'VoteCast', 'ActionApproved', 'ExecutionGrantIssued']);
  });

  it('answers from its cache without reading the stream again', async () => {
    const decisions = decisionService();
    await decisions.execute('a1', (now) => ({ type: 'RequestAction', data: { actionId: 'a1', request, requestHash: 'h1' }, meta: { now } }), { actor: service });
    const readStream = jest.spyOn(ledger.events, 'readStream');
    const again = await decisions.execute('a1', (now) => ({ type: 'RequestAction', data: { actionId: 'a1', request, requestHash: 'h1' }, meta: { now } }), { actor: service });
    expect(again.ok && again.value.appended).toEqual([]);
    expect(readStream).not.toHaveBeenCalled();
  });
});

import type { ApprovalCommand, CastVote, StandingApprovalCandidate } from './approval.commands';
import { foldEvents } from './approval.decider';
import type { ActionRequest, ApprovalEvent, ApprovalRequirement, StandingApprovalGranted, StandingRequest } from './approval.events';
import { actionId, at, commands, events, given, histories, onBehalfOf, request, requirement } from './approval.spec-helpers';

const allowing = (maxSeconds = 1800, overrides: Partial<ApprovalRequirement> = {}) => requirement({ standing: { maxSeconds }, ...overrides });

const voteWithStanding = (approverId: string, standing: StandingRequest, now = at(10), groups = ['sec']): CastVote => {
  const vote = commands.castVote(approverId, groups, 'APPROVE', now);
  return { ...vote, data: { ...vote.data, standing } };
};

const granted = (overrides: Partial<StandingApprovalGranted['data']> = {}): StandingApprovalGranted => ({
  type: 'StandingApprovalGranted',
  data: {
    actionId,
    scope: 'DURATION',
    approvers: [{ approverId: 'bob', groups: ['sec'] }],
    policyVersion: 'v1',
    determiningPolicies: ['p1'],
    grantedAt: at(10),
    expiresAt: at(610),
    ...overrides,
  },
});

describe('approval decider: standing approvals', () => {
  describe('granting one with an APPROVE vote', () => {
    it('records the standing approval right after the approval, bound to what the approvers asked for', () => {
      const vote = voteWithStanding('bob', { scope: 'DURATION', seconds: 600 });
      const state = given(histories.awaiting(allowing()))
        .when(vote)
        .then([
          { ...events.voteCast('bob', ['sec']), data: { ...events.voteCast('bob', ['sec']).data, standing: { scope: 'DURATION', seconds: 600 } } } as ApprovalEvent,
          events.approvedBy(['bob']),
          granted(),
        ]);
      expect(state).toMatchObject({ status: 'final', outcome: 'APPROVED', standing: { granted: granted().data } });
    });

    it('refuses to ask for one when the policy does not allow standing approvals, and records nothing', () => {
      given(histories.awaiting(requirement()))
        .when(voteWithStanding('bob', { scope: 'DURATION', seconds: 60 }))
        .thenFails('INVALID_ARGUMENT', /does not allow standing approvals/);
    });

    it('refuses a standing approval longer than the policy allows (never wider than the policy)', () => {
      given(histories.awaiting(allowing(300)))
        .when(voteWithStanding('bob', { scope: 'DURATION', seconds: 301 }))
        .thenFails('INVALID_ARGUMENT', /at most 300/);
    });

    it.each([0, -5, 1.5, Number.NaN])('refuses %s seconds', (seconds) => {
      given(histories.awaiting(allowing()))
        .when(voteWithStanding('bob', { scope: 'DURATION', seconds }))
        .thenFails('INVALID_ARGUMENT', /standing\.seconds/);
    });

    it('refuses a RUN standing approval for a request that names no run', () => {
      given(histories.awaiting(allowing()))
        .when(voteWithStanding('bob', { scope: 'RUN', seconds: 60 }))
        .thenFails('INVALID_ARGUMENT', /runId/);
    });

    it('refuses one with a DENY vote', () => {
      const vote = voteWithStanding('bob', { scope: 'DURATION', seconds: 60 });
      given(histories.awaiting(allowing()))
        .when({ ...vote, data: { ...vote.data, decision: 'DENY' } })
        .thenFails('INVALID_ARGUMENT', /APPROVE vote/);
    });

    it('grants one with a quorum of two only when both asked, for the shorter time', () => {
      const two = allowing(1800, { steps: [{ group: 'sec', minApprovals: 2 }] });
      const first = given(histories.awaiting(two)).when(voteWithStanding('bob', { scope: 'DURATION', seconds: 900 })).produced();
      const afterFirst = foldEvents([...histories.awaiting(two), ...first]);
      const second = given([...histories.awaiting(two), ...first]).when(voteWithStanding('carol', { scope: 'DURATION', seconds: 300 }, at(20))).produced();
      expect(afterFirst.status).toBe('awaiting_approval');
      expect(second.at(-1)).toEqual(
        granted({
          approvers: [
            { approverId: 'bob', groups: ['sec'] },
            { approverId: 'carol', groups: ['sec'] },
          ],
          grantedAt: at(20),
          expiresAt: at(320),
        }),
      );
    });

    it('grants none when one of the approvers who met the quorum did not ask for it', () => {
      const two = allowing(1800, { steps: [{ group: 'sec', minApprovals: 2 }] });
      const history = [...histories.awaiting(two), events.voteCast('bob', ['sec'])];
      const decided = given(history).when(voteWithStanding('carol', { scope: 'DURATION', seconds: 300 }, at(20))).produced();
      expect(decided.map((e) => e.type)).toEqual(['VoteCast', 'ActionApproved']);
    });
  });

  describe('covering a later identical request', () => {
    const laterId = 'act-2';
    const later = (overrides: Partial<ActionRequest> = {}): ApprovalEvent[] => [
      { type: 'ActionRequested', data: { actionId: laterId, request: { ...request, idempotencyKey: 'key-2', ...overrides }, requestHash: 'hash-2', requestedAt: at(100) } },
    ];
    const candidate = (overrides: Partial<StandingApprovalGranted['data']> = {}, extra: Partial<StandingApprovalCandidate> = {}): StandingApprovalCandidate => ({
      originRequest: request,
      granted: granted(overrides).data,
      ...extra,
    });
    const evaluate = (standing: StandingApprovalCandidate, req: ApprovalRequirement = allowing(), now = at(100)): ApprovalCommand => ({
      type: 'RecordEvaluation',
      data: { actionId: laterId, outcome: 'REQUIRE_APPROVAL', policyVersion: 'v2', determiningPolicies: ['p1'], reasons: ['needs sec'], requirement: req, requestHash: 'hash-2', standing },
      meta: { now },
    });
    const decidedTypes = (history: ApprovalEvent[], command: ApprovalCommand) => given(history).when(command).produced().map((e) => e.type);

    it('approves it at once, citing the action whose approval granted the standing approval', () => {
      const decided = given(later()).when(evaluate(candidate())).produced();
      expect(decided.map((e) => e.type)).toEqual(['PolicyEvaluated', 'ActionApproved']);
      expect(decided[1]).toEqual({
        type: 'ActionApproved',
        data: { actionId: laterId, approvedBy: ['bob'], by: 'STANDING_APPROVAL', standingApprovalOf: actionId, approvedAt: at(100) },
      });
      const state = foldEvents([...later(), ...decided]);
      expect(state).toMatchObject({ status: 'final', outcome: 'APPROVED', approvedVia: 'STANDING_APPROVAL', standingApprovalOf: actionId });
    });

    it.each<[string, Partial<ActionRequest>]>([
      ['other parameters', { parameters: { rows: 1001 } }],
      ['another resource', { resource: { kind: 'dataset', id: 'orders' } }],
      ['another environment', { environment: 'staging' }],
      ['another on-behalf-of human', { onBehalfOf: 'zoe' }],
      ['another agent', { agentId: 'agent-8' }],
      ['another model driving the agent', { model: 'model-y' }],
      ['another classification', { dataClassification: 'pii' }],
    ])('asks humans again for a request with %s', (_name, overrides) => {
      expect(decidedTypes(later(overrides), evaluate(candidate()))).toEqual(['PolicyEvaluated', 'ApprovalRequested']);
    });

    it('covers the same parameters written in another key order', () => {
      const origin = { ...request, parameters: { a: 1, b: { c: [1, 2] } } };
      const history = later({ parameters: { b: { c: [1, 2] }, a: 1 } });
      expect(decidedTypes(history, evaluate({ ...candidate(), originRequest: origin }))).toEqual(['PolicyEvaluated', 'ActionApproved']);
    });

    it('asks humans again once it has expired, or was revoked', () => {
      expect(decidedTypes(later(), evaluate(candidate(), allowing(), at(610)))).toEqual(['PolicyEvaluated', 'ApprovalRequested']);
      expect(decidedTypes(later(), evaluate(candidate({}, { revokedAt: at(50) })))).toEqual(['PolicyEvaluated', 'ApprovalRequested']);
    });

    it('asks humans again when the policy in force no longer allows standing approvals, or allows shorter ones', () => {
      expect(decidedTypes(later(), evaluate(candidate(), requirement()))).toEqual(['PolicyEvaluated', 'ApprovalRequested']);
      // Granted at 10 s for 600 s, but the policy now allows 60 s: over by 100 s.
      expect(decidedTypes(later(), evaluate(candidate(), allowing(60)))).toEqual(['PolicyEvaluated', 'ApprovalRequested']);
    });

    it('asks humans again when its approvers do not meet the requirement in force (a quorum of two now)', () => {
      const stricter = allowing(1800, { steps: [{ group: 'sec', minApprovals: 2 }] });
      expect(decidedTypes(later(), evaluate(candidate(), stricter))).toEqual(['PolicyEvaluated', 'ApprovalRequested']);
      const otherGroup = allowing(1800, { steps: [{ group: 'privacy', minApprovals: 1 }] });
      expect(decidedTypes(later(), evaluate(candidate(), otherGroup))).toEqual(['PolicyEvaluated', 'ApprovalRequested']);
    });

    it('never lets an approver of the standing approval approve a request made on their behalf (I1)', () => {
      const onBehalfOfBob = later({ onBehalfOf: 'bob' });
      const origin = { ...request, onBehalfOf: 'bob' };
      expect(decidedTypes(onBehalfOfBob, evaluate({ ...candidate(), originRequest: origin }))).toEqual(['PolicyEvaluated', 'ApprovalRequested']);
    });

    it('covers a RUN standing approval only within that run', () => {
      const inRun = { ...request, runId: 'run-1' };
      const runScoped = { ...candidate({ scope: 'RUN', runId: 'run-1' }), originRequest: inRun };
      expect(decidedTypes(later({ runId: 'run-1' }), evaluate(runScoped))).toEqual(['PolicyEvaluated', 'ActionApproved']);
      expect(decidedTypes(later({ runId: 'run-2' }), evaluate(runScoped))).toEqual(['PolicyEvaluated', 'ApprovalRequested']);
      expect(decidedTypes(later({ runId: undefined }), evaluate(runScoped))).toEqual(['PolicyEvaluated', 'ApprovalRequested']);
    });

    it('is never consulted when the policy allows or denies outright', () => {
      const deny: ApprovalCommand = { ...evaluate(candidate()), data: { ...evaluate(candidate()).data, outcome: 'DENY', requirement: undefined } } as ApprovalCommand;
      expect(decidedTypes(later(), deny)).toEqual(['PolicyEvaluated', 'ActionDenied']);
    });
  });

  describe('revoking', () => {
    const history = () => [...histories.awaiting(allowing()), events.voteCast('bob', ['sec']), events.approvedBy(['bob']), granted()];
    const revoke = (id: string, groups: string[], now = at(100), reason = 'no longer needed'): ApprovalCommand => ({
      type: 'RevokeStandingApproval',
      data: { actionId, revoker: { id, groups, channel: 'cli' }, reason },
      meta: { now },
    });

    it('records the revocation by an approver of the required groups', () => {
      const state = given(history())
        .when(revoke('carol', ['sec']))
        .then([{ type: 'StandingApprovalRevoked', data: { actionId, revokedBy: 'carol', channel: 'cli', reason: 'no longer needed', revokedAt: at(100) } }]);
      expect(state).toMatchObject({ standing: { revoked: { revokedBy: 'carol' } } });
    });

    it('refuses someone outside the groups, a second revocation, an expired one, and an action that granted none', () => {
      given(history()).when(revoke('mallory', ['ops'])).thenFails('PERMISSION_DENIED', /may not revoke/);
      given([...history(), { type: 'StandingApprovalRevoked', data: { actionId, revokedBy: 'bob', channel: 'cli', reason: 'x', revokedAt: at(50) } }])
        .when(revoke('bob', ['sec']))
        .thenFails('ALREADY_FINAL', /revoked at/);
      given(history()).when(revoke('bob', ['sec'], at(610))).thenFails('ALREADY_FINAL', /expired at/);
      given(histories.approvedByHumans()).when(revoke('bob', ['sec'])).thenFails('NOT_FOUND', /granted no standing approval/);
      given(history()).when(revoke('bob', ['sec'], at(100), ' ')).thenFails('INVALID_ARGUMENT', /reason/);
    });
  });

  it('keeps the on-behalf-of human out: they can neither vote nor, therefore, grant a standing approval (I1)', () => {
    const vote = voteWithStanding(onBehalfOf, { scope: 'DURATION', seconds: 60 });
    const decided = given(histories.awaiting(allowing())).when(vote).produced();
    expect(decided).toEqual([expect.objectContaining({ type: 'VoteRejected', data: expect.objectContaining({ reason: 'SELF_APPROVAL' }) })]);
  });
});


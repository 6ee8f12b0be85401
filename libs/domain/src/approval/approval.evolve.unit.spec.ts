import { foldEvents, handle } from './approval.decider';
import { evolve } from './approval.evolve';
import type { ApprovalEvent } from './approval.events';
import { initialState, isFinal } from './approval.state';
import { T0, actionId, agentId, at, commands, events, histories, requirement } from './approval.spec-helpers';

describe('approval evolve', () => {
  it('starts from nothing', () => {
    expect(foldEvents([])).toEqual({ status: 'none' });
  });

  it('rebuilds an awaiting request with its facts', () => {
    const req = requirement();
    expect(foldEvents(histories.awaiting(req))).toEqual({
      status: 'awaiting_approval',
      actionId,
      request: expect.objectContaining({ agentId }),
      requestHash: 'hash-1',
      requestedAt: T0,
      evaluation: events.evaluated('REQUIRE_APPROVAL', req).data,
      requirement: req,
      requestedApprovalAt: T0,
      expiresAt: at(600),
      escalatedGroups: [],
      votes: [],
      rejectedVotes: [],
      notifications: 0,
      notifiedTargets: [],
    });
  });

  it('counts notifications and keeps votes and rejected votes', () => {
    const rejectedVote: ApprovalEvent = {
      type: 'VoteRejected',
      data: {
        actionId,
        approverId: agentId,
        channel: 'slack',
        decision: 'APPROVE',
        reason: 'SELF_APPROVAL',
        detail: 'self',
        attemptedAt: at(3),
      },
    };
    const notified: ApprovalEvent = {
      type: 'ApprovalNotified',
      data: { actionId, channel: 'slack', target: '#approvals', notifiedAt: at(1) },
    };
    const state = foldEvents([...histories.awaiting(), notified, notified, rejectedVote, events.voteCast('bob', ['sec'], 'DENY')]);
    expect(state).toMatchObject({
      notifications: 2,
      rejectedVotes: [rejectedVote.data],
      votes: [events.voteCast('bob', ['sec'], 'DENY').data],
    });
  });

  it.each([
    ['approved by policy', histories.approvedByPolicy(), { outcome: 'APPROVED', approvedBy: [], reason: 'allowed by policy', decidedAt: T0 }],
    ['approved by humans', histories.approvedByHumans(), { outcome: 'APPROVED', approvedBy: ['bob'], reason: 'approved by bob', decidedAt: at(10) }],
    ['denied', histories.deniedByPolicy(), { outcome: 'DENIED', approvedBy: [], reason: 'policy says so' }],
    ['expired', histories.expired(), { outcome: 'EXPIRED', reason: `no decision before ${at(600)}`, expiresAt: at(600) }],
    ['cancelled', histories.cancelled(), { outcome: 'CANCELLED', reason: 'no longer needed', decidedAt: at(10) }],
  ])('reaches the final state when %s', (_name, history, expected) => {
    const state = foldEvents(history);
    expect(isFinal(state)).toBe(true);
    expect(state).toMatchObject({ status: 'final', ...expected });
  });

  it('keeps the requirement and deadline in the final state', () => {
    expect(foldEvents(histories.approvedByHumans())).toMatchObject({ requirement: requirement(), expiresAt: at(600) });
  });

  it('never changes a final outcome (I3)', () => {
    const approved = foldEvents(histories.approvedByHumans());
    for (const late of [events.expired(at(600), at(700)), events.cancelled(), events.deniedByPolicy(), events.approvedBy(['carol'])]) {
      expect(evolve(approved, late)).toBe(approved);
    }
  });

  it('records the grant and the execution', () => {
    expect(foldEvents([...histories.granted(), events.executionReported()])).toMatchObject({
      grant: { grantId: 'grant-1', token: 'jws', issuedAt: at(20), expiresAt: at(320) },
      execution: { grantId: 'grant-1', status: 'SUCCEEDED', detail: 'exported 1000 rows', reportedAt: at(30) },
    });
  });

  it('ignores events that do not fit the state instead of throwing', () => {
    expect(evolve(initialState(), events.voteCast('bob', ['sec']))).toEqual({ status: 'none' });
    expect(evolve(foldEvents(histories.requested()), events.grantIssued())).toEqual(foldEvents(histories.requested()));
    const requested = foldEvents(histories.requested());
    expect(evolve(requested, events.requested('hash-2'))).toBe(requested);
  });

  it('does not share arrays between states', () => {
    const before = foldEvents(histories.awaiting());
    evolve(before, events.voteCast('bob', ['sec'], 'DENY'));
    expect(before.status === 'awaiting_approval' && before.votes).toEqual([]);
  });
});

describe('handle', () => {
  it('decides against the state folded from the stream', () => {
    expect(handle(commands.castVote('bob', ['sec']), histories.awaiting())).toEqual({
      ok: true,
      value: [events.voteCast('bob', ['sec']), events.approvedBy(['bob'])],
    });
  });
});

describe('isFinal', () => {
  it('is true only for the final state', () => {
    expect(isFinal(foldEvents([]))).toBe(false);
    expect(isFinal(foldEvents(histories.requested()))).toBe(false);
    expect(isFinal(foldEvents(histories.awaiting()))).toBe(false);
    expect(isFinal(foldEvents(histories.expired()))).toBe(true);
  });
});

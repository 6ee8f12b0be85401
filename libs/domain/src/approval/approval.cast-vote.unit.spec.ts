import type { CastVote } from './approval.commands';
import { agentId, at, commands, events, given, histories, onBehalfOf, rejected, requirement } from './approval.spec-helpers';

describe('approval decider: CastVote', () => {
  const twoGroups = requirement({ steps: [{ group: 'sec', minApprovals: 1 }, { group: 'ops', minApprovals: 1 }] });

  describe('when no vote can count', () => {
    it('refuses a vote for an unknown action', () => {
      given([]).when(commands.castVote('bob', ['sec'])).thenFails('NOT_FOUND');
    });

    it('refuses a vote without an approver identity', () => {
      given(histories.awaiting()).when(commands.castVote('', ['sec'])).thenFails('INVALID_ARGUMENT', /approver\.id/);
    });

    it('refuses a decision other than APPROVE or DENY', () => {
      const vote = commands.castVote('bob', ['sec']);
      const abstain = { ...vote, data: { ...vote.data, decision: 'ABSTAIN' } } as unknown as CastVote;
      given(histories.awaiting()).when(abstain).thenFails('INVALID_ARGUMENT', /APPROVE or DENY/);
    });

    it.each([
      ['approved', histories.approvedByHumans()],
      ['denied', histories.deniedByPolicy()],
      ['expired', histories.expired()],
      ['cancelled', histories.cancelled()],
    ])('records a vote after the action was %s as ALREADY_DECIDED, outcome unchanged (I3)', (_name, history) => {
      const vote = commands.castVote('carol', ['sec'], 'DENY');
      const state = given(history).when(vote).then([rejected(vote, 'ALREADY_DECIDED')]);
      expect(state).toMatchObject({ status: 'final', rejectedVotes: [expect.objectContaining({ approverId: 'carol' })] });
    });

    it('records a vote before any approval was requested as NOT_AWAITING_APPROVAL', () => {
      const vote = commands.castVote('bob', ['sec']);
      given(histories.requested()).when(vote).then([rejected(vote, 'NOT_AWAITING_APPROVAL')]);
    });
  });

  describe('expiry (I4)', () => {
    it('rejects a vote at the deadline and expires the request: silence is never consent', () => {
      const vote = commands.castVote('bob', ['sec'], 'APPROVE', at(600));
      const state = given(histories.awaiting()).when(vote).then([rejected(vote, 'EXPIRED'), events.expired(at(600), at(600))]);
      expect(state).toMatchObject({ status: 'final', outcome: 'EXPIRED' });
    });

    it('rejects a late vote that would have met the quorum', () => {
      const vote = commands.castVote('bob', ['sec'], 'APPROVE', at(601));
      given(histories.awaiting()).when(vote).then([rejected(vote, 'EXPIRED'), events.expired(at(600), at(601))]);
    });

    it('accepts a vote one millisecond before the deadline', () => {
      given(histories.awaiting())
        .when(commands.castVote('bob', ['sec'], 'APPROVE', '2025-01-01T00:09:59.999Z'))
        .then([events.voteCast('bob', ['sec'], 'APPROVE', '2025-01-01T00:09:59.999Z'), events.approvedBy(['bob'], '2025-01-01T00:09:59.999Z')]);
    });
  });

  describe('self-approval (I1)', () => {
    it('rejects the requesting agent', () => {
      const vote = commands.castVote(agentId, ['sec']);
      given(histories.awaiting()).when(vote).then([rejected(vote, 'SELF_APPROVAL')]);
    });

    it('rejects the human the agent acts on behalf of', () => {
      const vote = commands.castVote(onBehalfOf, ['sec']);
      given(histories.awaiting()).when(vote).then([rejected(vote, 'SELF_APPROVAL')]);
    });

    it("rejects the agent's accountable owner, recorded with the request", () => {
      const owned = histories.awaiting().map((event) =>
        event.type === 'ActionRequested' ? { ...event, data: { ...event.data, agentOwner: 'olga' } } : event,
      );
      const vote = commands.castVote('olga', ['sec']);
      given(owned).when(vote).then([rejected(vote, 'SELF_APPROVAL')]);
      // without an owner on record, the same person is an ordinary eligible approver
      given(histories.awaiting()).when(commands.castVote('olga', ['sec'])).then([
        expect.objectContaining({ type: 'VoteCast' }),
        expect.objectContaining({ type: 'ActionApproved' }),
      ]);
    });

    it('has no admin bypass: membership of every group does not help', () => {
      const vote = commands.castVote(onBehalfOf, ['sec', 'ops', 'admins']);
      given(histories.awaiting(twoGroups)).when(vote).then([rejected(vote, 'SELF_APPROVAL')]);
    });

    it('rejects a self-denial too, and it does not end the request', () => {
      const vote = commands.castVote(agentId, ['sec'], 'DENY');
      const state = given(histories.awaiting()).when(vote).then([rejected(vote, 'SELF_APPROVAL')]);
      expect(state.status).toBe('awaiting_approval');
    });

    it('does not count a self-vote towards a later quorum', () => {
      const req = requirement({ steps: [{ group: 'sec', minApprovals: 2 }] });
      const history = [...histories.awaiting(req), events.voteCast('bob', ['sec'])];
      const self = commands.castVote(onBehalfOf, ['sec']);
      given(history).when(self).then([rejected(self, 'SELF_APPROVAL')]);
    });
  });

  describe('eligibility (I2)', () => {
    it('rejects an approver in none of the required groups', () => {
      const vote = commands.castVote('mallory', ['finance', 'admins']);
      given(histories.awaiting()).when(vote).then([rejected(vote, 'NOT_ELIGIBLE')]);
    });

    it('rejects an approver with no groups', () => {
      const vote = commands.castVote('mallory', []);
      given(histories.awaiting()).when(vote).then([rejected(vote, 'NOT_ELIGIBLE')]);
    });

    it('rejects a second vote from the same human', () => {
      const history = [...histories.awaiting(twoGroups), events.voteCast('bob', ['sec', 'ops'])];
      const vote = commands.castVote('bob', ['sec', 'ops'], 'APPROVE', at(20));
      given(history).when(vote).then([rejected(vote, 'DUPLICATE_VOTE')]);
    });

    it('rejects a second vote after a non-final deny', () => {
      const req = requirement({ denyEndsRequest: false });
      const history = [...histories.awaiting(req), events.voteCast('bob', ['sec'], 'DENY')];
      const vote = commands.castVote('bob', ['sec'], 'APPROVE', at(20));
      given(history).when(vote).then([rejected(vote, 'DUPLICATE_VOTE')]);
    });

    it('records only the required groups the approver belongs to', () => {
      given(histories.awaiting(twoGroups))
        .when(commands.castVote('bob', ['admins', 'ops', 'finance']))
        .then([events.voteCast('bob', ['ops'])]);
    });
  });

  describe('quorum', () => {
    it('approves when a single required approval arrives', () => {
      const state = given(histories.awaiting())
        .when(commands.castVote('bob', ['sec']))
        .then([events.voteCast('bob', ['sec']), events.approvedBy(['bob'])]);
      expect(state).toMatchObject({ status: 'final', outcome: 'APPROVED', approvedBy: ['bob'], decidedAt: at(10) });
    });

    it('keeps the comment with the vote', () => {
      const vote = commands.castVote('bob', ['sec'], 'APPROVE', at(10), 'looks fine');
      const state = given(histories.awaiting())
        .when(vote)
        .then([events.voteCast('bob', ['sec'], 'APPROVE', at(10), 'looks fine'), events.approvedBy(['bob'])]);
      expect(state).toMatchObject({ votes: [expect.objectContaining({ comment: 'looks fine' })] });
    });

    it('waits for N of M', () => {
      const req = requirement({ steps: [{ group: 'sec', minApprovals: 2 }] });
      given(histories.awaiting(req)).when(commands.castVote('bob', ['sec'])).then([events.voteCast('bob', ['sec'])]);
      given([...histories.awaiting(req), events.voteCast('bob', ['sec'])])
        .when(commands.castVote('carol', ['sec'], 'APPROVE', at(20)))
        .then([events.voteCast('carol', ['sec'], 'APPROVE', at(20)), events.approvedBy(['bob', 'carol'], at(20))]);
    });

    it('counts a human in two required groups once: one from each group needs two people', () => {
      const state = given(histories.awaiting(twoGroups))
        .when(commands.castVote('bob', ['sec', 'ops']))
        .then([events.voteCast('bob', ['sec', 'ops'])]);
      expect(state.status).toBe('awaiting_approval');
    });

    it('finds the assignment a greedy pass misses', () => {
      // Greedy would seat bob (sec+ops) in sec, then carol (sec only) has nowhere to go.
      const history = [...histories.awaiting(twoGroups), events.voteCast('bob', ['sec', 'ops'])];
      given(history)
        .when(commands.castVote('carol', ['sec'], 'APPROVE', at(20)))
        .then([events.voteCast('carol', ['sec'], 'APPROVE', at(20)), events.approvedBy(['bob', 'carol'], at(20))]);
    });

    it('does not count deny votes towards the quorum', () => {
      const req = requirement({ steps: [{ group: 'sec', minApprovals: 2 }], denyEndsRequest: false });
      const history = [...histories.awaiting(req), events.voteCast('bob', ['sec'], 'DENY')];
      given(history)
        .when(commands.castVote('carol', ['sec'], 'APPROVE', at(20)))
        .then([events.voteCast('carol', ['sec'], 'APPROVE', at(20))]);
    });

    it('reports only the approvers it needed', () => {
      const req = requirement({ steps: [{ group: 'sec', minApprovals: 1 }, { group: 'ops', minApprovals: 1 }] });
      const history = [...histories.awaiting(req), events.voteCast('bob', ['sec']), events.voteCast('carol', ['sec'])];
      given(history)
        .when(commands.castVote('dave', ['ops'], 'APPROVE', at(20)))
        .then([events.voteCast('dave', ['ops'], 'APPROVE', at(20)), events.approvedBy(['bob', 'dave'], at(20))]);
    });
  });

  describe('deny votes', () => {
    it('ends the request when denyEndsRequest is set', () => {
      const state = given(histories.awaiting())
        .when(commands.castVote('bob', ['sec'], 'DENY', at(10), 'too broad'))
        .then([
          events.voteCast('bob', ['sec'], 'DENY', at(10), 'too broad'),
          { type: 'ActionDenied', data: { actionId: 'act-1', by: 'APPROVER', deniedBy: 'bob', reason: 'too broad', deniedAt: at(10) } },
        ]);
      expect(state).toMatchObject({ status: 'final', outcome: 'DENIED', reason: 'too broad' });
    });

    it('names the denier when there is no comment', () => {
      given(histories.awaiting())
        .when(commands.castVote('bob', ['sec'], 'DENY'))
        .then([
          events.voteCast('bob', ['sec'], 'DENY'),
          { type: 'ActionDenied', data: { actionId: 'act-1', by: 'APPROVER', deniedBy: 'bob', reason: 'denied by bob', deniedAt: at(10) } },
        ]);
    });

    it('is only recorded when denyEndsRequest is off', () => {
      const req = requirement({ denyEndsRequest: false });
      const state = given(histories.awaiting(req)).when(commands.castVote('bob', ['sec'], 'DENY')).then([events.voteCast('bob', ['sec'], 'DENY')]);
      expect(state.status).toBe('awaiting_approval');
    });
  });
});

// The usage example of libs/domain/README.md, kept here so that it runs.
import {
  type ActionRequest,
  type ApprovalCommand,
  type ApprovalEvent,
  type ApprovalState,
  decide,
  evolve,
  initialState,
} from './index';

describe('README example', () => {
  it('runs as documented', () => {
    const request: ActionRequest = {
      agentId: 'agent-7',
      model: 'model-x',
      onBehalfOf: 'alice',
      action: 'dataset.export',
      resource: { kind: 'dataset', id: 'customers' },
      environment: 'prod',
      parameters: { rows: 1000 },
      justification: 'quarterly report',
      idempotencyKey: 'key-1',
    };

    // The stream as read from the ledger, and the state folded from it.
    const stream: ApprovalEvent[] = [];
    let state: ApprovalState = initialState();

    const apply = (command: ApprovalCommand): ApprovalEvent[] => {
      const result = decide(command, state);
      if (!result.ok) throw new Error(`${result.error.code}: ${result.error.message}`);
      stream.push(...result.value); // in a service: append with the expected revision
      state = result.value.reduce(evolve, state);
      return result.value;
    };

    apply({ type: 'RequestAction', data: { actionId: 'a1', request, requestHash: 'sha256:…' }, meta: { now: '2025-01-01T00:00:00Z' } });
    apply({
      type: 'RecordEvaluation',
      data: {
        actionId: 'a1',
        outcome: 'REQUIRE_APPROVAL',
        policyVersion: 'v42',
        determiningPolicies: ['prod-exports'],
        reasons: ['production data leaves the boundary'],
        requestHash: 'sha256:…',
        requirement: {
          steps: [
            { group: 'security', minApprovals: 1 },
            { group: 'data-owners', minApprovals: 1 },
          ],
          ttlSeconds: 900,
          denyEndsRequest: true,
        },
      },
      meta: { now: '2025-01-01T00:00:01Z' },
    });

    const vote = (id: string, groups: string[], now: string): ApprovalEvent[] =>
      apply({ type: 'CastVote', data: { actionId: 'a1', approver: { id, groups, channel: 'slack' }, decision: 'APPROVE' }, meta: { now } });

    // The human the agent acts for cannot approve, whatever their groups (I1).
    expect(vote('alice', ['security', 'data-owners'], '2025-01-01T00:01:00Z').map((e) => e.type)).toEqual(['VoteRejected']);
    // Bob is in both groups but counts once (I2): still waiting.
    expect(vote('bob', ['security', 'data-owners'], '2025-01-01T00:02:00Z').map((e) => e.type)).toEqual(['VoteCast']);
    // Carol fills the security slot and Bob moves to data-owners.
    expect(vote('carol', ['security'], '2025-01-01T00:03:00Z').map((e) => e.type)).toEqual(['VoteCast', 'ActionApproved']);

    expect(state).toMatchObject({ status: 'final', outcome: 'APPROVED', approvedBy: ['bob', 'carol'] });
    expect(stream).toHaveLength(7);
  });
});

import type { ApprovalCommand } from './approval.commands';
import type { ApprovalEvent, GrantRejectionReason } from './approval.events';
import { actionId, agentId, at, commands, events, given, histories, requestHash } from './approval.spec-helpers';

const redeem = (overrides: Partial<Extract<ApprovalCommand, { type: 'RedeemGrant' }>['data']> = {}, now = at(60)): ApprovalCommand => ({
  type: 'RedeemGrant',
  data: { actionId, grantId: 'grant-1', presentedBy: agentId, requestHash, tokenRequestHash: requestHash, tokenExpired: false, ...overrides },
  meta: { now },
});

const redeemed: ApprovalEvent = {
  type: 'ExecutionGrantRedeemed',
  data: { actionId, grantId: 'grant-1', redeemedBy: agentId, requestHash, redeemedAt: at(60) },
};

const rejectedFor = (reason: GrantRejectionReason) =>
  expect.objectContaining({ type: 'GrantRedemptionRejected', data: expect.objectContaining({ actionId, reason }) }) as ApprovalEvent;

describe('approval decider: execution grants (I5)', () => {
  it('redeems the grant once, by its agent, for the approved request', () => {
    const state = given(histories.granted()).when(redeem()).then([redeemed]);
    expect(state).toMatchObject({ grant: { redeemed: { redeemedBy: agentId, redeemedAt: at(60) } } });
  });

  it.each<[string, ApprovalEvent[], ApprovalCommand, GrantRejectionReason]>([
    ['a second use (replay)', [...histories.granted(), redeemed], redeem({}, at(61)), 'REPLAYED'],
    ['a use after execution was reported', [...histories.granted(), events.executionReported()], redeem(), 'REPLAYED'],
    ['another agent', histories.granted(), redeem({ presentedBy: 'agent-8' }), 'WRONG_AGENT'],
    ['other parameters', histories.granted(), redeem({ requestHash: 'hash-other' }), 'PARAMETERS_MISMATCH'],
    ['a token carrying another request hash', histories.granted(), redeem({ tokenRequestHash: 'hash-other' }), 'PARAMETERS_MISMATCH'],
    ['an expired token', histories.granted(), redeem({ tokenExpired: true }), 'EXPIRED'],
    ['a use after the grant expired', histories.granted(), redeem({}, at(320)), 'EXPIRED'],
    ['a superseded grant id', histories.granted(), redeem({ grantId: 'grant-0' }), 'UNKNOWN_GRANT'],
    ['an action that was never approved', histories.deniedByPolicy(), redeem(), 'NOT_APPROVED'],
    ['an action still waiting for approval', histories.awaiting(), redeem(), 'NOT_APPROVED'],
  ])('refuses and records %s', (_name, history, command, reason) => {
    given(history).when(command).then([rejectedFor(reason)]);
  });

  it('voids an unused grant when the agent cancels the approved action; the outcome stays APPROVED (I3)', () => {
    const state = given(histories.granted())
      .when(commands.cancelAction(agentId, at(30)))
      .then([{ type: 'ExecutionGrantRevoked', data: { actionId, grantId: 'grant-1', revokedBy: agentId, reason: 'no longer needed', revokedAt: at(30) } }]);
    expect(state).toMatchObject({ status: 'final', outcome: 'APPROVED', grant: { revoked: { revokedBy: agentId } } });
    given([...histories.granted(), ...given(histories.granted()).when(commands.cancelAction(agentId, at(30))).produced()])
      .when(redeem())
      .then([rejectedFor('REVOKED')]);
  });

  it('refuses to cancel once the grant was used, and to report execution with a revoked grant', () => {
    given([...histories.granted(), redeemed]).when(commands.cancelAction(agentId, at(70))).thenFails('ALREADY_FINAL');
    const revoked: ApprovalEvent = { type: 'ExecutionGrantRevoked', data: { actionId, grantId: 'grant-1', revokedBy: agentId, reason: 'x', revokedAt: at(25) } };
    given([...histories.granted(), revoked]).when(commands.reportExecution()).thenFails('PERMISSION_DENIED', /revoked/);
  });

  it('lets the executor report how a redeemed grant went, once, even after the token expired', () => {
    given([...histories.granted(), redeemed]).when(commands.reportExecution('grant-1', agentId, at(400))).then([
      { ...events.executionReported(), data: { ...(events.executionReported().data as object), reportedAt: at(400) } } as ApprovalEvent,
    ]);
  });

  it('records a forged grant only for the agent that owns the action it names', () => {
    const forged = (presentedBy: string): ApprovalCommand => ({
      type: 'RecordForgedGrant',
      data: { actionId, grantId: 'grant-x', presentedBy, detail: 'signature does not verify' },
      meta: { now: at(60) },
    });
    given(histories.granted()).when(forged(agentId)).then([rejectedFor('INVALID_SIGNATURE')]);
    given(histories.granted()).when(forged('agent-8')).thenFails('NOT_FOUND');
  });
});

describe('approval decider: failed deliveries', () => {
  it('records a failed delivery while the request is open, and nothing once it is decided', () => {
    const failed: ApprovalCommand = { type: 'RecordNotification', data: { actionId, channel: 'slack', target: 'slack', error: 'service_unavailable' }, meta: { now: at(5) } };
    given(histories.awaiting()).when(failed).then([{ type: 'ApprovalNotificationFailed', data: { actionId, channel: 'slack', error: 'service_unavailable', failedAt: at(5) } }]);
    given(histories.approvedByHumans()).when(failed).thenNothingHappens();
  });
});

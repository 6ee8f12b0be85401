import type { ApprovalCommand } from './approval.commands';
import {
  T0,
  actionId,
  agentId,
  at,
  commands,
  events,
  given,
  histories,
  request,
  requestHash,
  requirement,
} from './approval.spec-helpers';

describe('approval decider', () => {
  describe('any command', () => {
    it('refuses a time without an explicit offset, which would read differently on another host', () => {
      given([]).when(commands.requestAction(requestHash, '2025-01-01T00:00:00')).thenFails('INVALID_ARGUMENT', /meta\.now/);
    });

    it('refuses a command addressed to another action', () => {
      const command: ApprovalCommand = { type: 'ExpireApproval', data: { actionId: 'act-2' }, meta: { now: at(700) } };
      given(histories.awaiting()).when(command).thenFails('INVALID_ARGUMENT', /act-2/);
    });
  });

  describe('RequestAction', () => {
    it('records a new action', () => {
      const state = given([]).when(commands.requestAction()).then([events.requested()]);
      expect(state).toMatchObject({ status: 'requested', actionId, requestHash, votes: [], rejectedVotes: [], notifications: 0 });
    });

    it('is idempotent for a retry with the same payload (I7)', () => {
      given(histories.requested()).when(commands.requestAction(requestHash, at(5))).thenNothingHappens();
    });

    it('is idempotent even after the outcome (I7)', () => {
      given(histories.approvedByHumans()).when(commands.requestAction()).thenNothingHappens();
    });

    it('refuses the same key with a different payload (I7)', () => {
      given(histories.requested())
        .when(commands.requestAction('hash-2'))
        .thenFails('IDEMPOTENCY_CONFLICT', /idempotency key "key-1".*different parameters/);
    });

    it('refuses a request without an agent', () => {
      const command: ApprovalCommand = {
        type: 'RequestAction',
        data: { actionId, request: { ...request, agentId: '' }, requestHash },
        meta: { now: T0 },
      };
      given([]).when(command).thenFails('INVALID_ARGUMENT', /request\.agentId/);
    });
  });

  describe('RecordEvaluation', () => {
    it('approves outright when the policy allows', () => {
      const state = given(histories.requested())
        .when(commands.recordEvaluation('ALLOW'))
        .then([events.evaluated('ALLOW'), events.approvedByPolicy()]);
      expect(state).toMatchObject({ status: 'final', outcome: 'APPROVED', approvedBy: [] });
    });

    it('denies outright when the policy denies, with the policy reasons', () => {
      given(histories.requested())
        .when(commands.recordEvaluation('DENY', undefined, T0, ['no exports on Fridays', 'prod']))
        .then([
          events.evaluated('DENY', undefined, ['no exports on Fridays', 'prod']),
          events.deniedByPolicy('no exports on Fridays; prod'),
        ]);
    });

    it('names the policy set when a denial comes without reasons', () => {
      given(histories.requested())
        .when(commands.recordEvaluation('DENY', undefined, T0, []))
        .then([events.evaluated('DENY', undefined, []), events.deniedByPolicy('denied by policy set v1')]);
    });

    it('opens an approval request that expires after the ttl', () => {
      const req = requirement({ ttlSeconds: 900 });
      const state = given(histories.requested())
        .when(commands.recordEvaluation('REQUIRE_APPROVAL', req))
        .then([
          events.evaluated('REQUIRE_APPROVAL', req),
          { type: 'ApprovalRequested', data: { actionId, requirement: req, requestedAt: T0, expiresAt: at(900) } },
        ]);
      expect(state).toMatchObject({ status: 'awaiting_approval', expiresAt: at(900), requirement: req });
    });

    it('refuses REQUIRE_APPROVAL without a requirement', () => {
      given(histories.requested()).when(commands.recordEvaluation('REQUIRE_APPROVAL')).thenFails('INVALID_ARGUMENT', /requirement/);
    });

    it.each([
      ['no steps', requirement({ steps: [] }), /steps/],
      ['zero approvals', requirement({ steps: [{ group: 'sec', minApprovals: 0 }] }), /minApprovals/],
      ['fractional approvals', requirement({ steps: [{ group: 'sec', minApprovals: 1.5 }] }), /minApprovals/],
      ['a blank group', requirement({ steps: [{ group: ' ', minApprovals: 1 }] }), /group/],
      ['a zero ttl', requirement({ ttlSeconds: 0 }), /ttlSeconds/],
      ['a negative ttl', requirement({ ttlSeconds: -5 }), /ttlSeconds/],
      ['an infinite ttl', requirement({ ttlSeconds: Number.POSITIVE_INFINITY }), /ttlSeconds/],
      ['a ttl past the end of time', requirement({ ttlSeconds: 1e16 }), /ttlSeconds/],
    ])('refuses a requirement with %s', (_name, req, message) => {
      given(histories.requested()).when(commands.recordEvaluation('REQUIRE_APPROVAL', req)).thenFails('INVALID_ARGUMENT', message);
    });

    it('refuses an evaluation that does not name its policy set (I9)', () => {
      const command: ApprovalCommand = {
        type: 'RecordEvaluation',
        data: { actionId, outcome: 'ALLOW', policyVersion: '', determiningPolicies: [], reasons: [], requestHash },
        meta: { now: T0 },
      };
      given(histories.requested()).when(command).thenFails('INVALID_ARGUMENT', /policyVersion/);
    });

    it('ignores a redelivered evaluation while awaiting approval', () => {
      given(histories.awaiting()).when(commands.recordEvaluation('ALLOW')).thenNothingHappens();
    });

    it('ignores a redelivered evaluation after the outcome', () => {
      given(histories.deniedByPolicy()).when(commands.recordEvaluation('ALLOW')).thenNothingHappens();
    });

    it('records nothing for an evaluation that arrives after the agent cancelled (the outcome stands)', () => {
      given(histories.cancelled()).when(commands.recordEvaluation('ALLOW')).thenNothingHappens();
    });

    it('refuses an evaluation for an unknown action', () => {
      given([]).when(commands.recordEvaluation('ALLOW')).thenFails('NOT_FOUND');
    });
  });

  describe('ExpireApproval', () => {
    it('expires an approval request at its deadline (I4)', () => {
      const state = given(histories.awaiting()).when(commands.expireApproval(at(600))).then([events.expired(at(600), at(600))]);
      expect(state).toMatchObject({ status: 'final', outcome: 'EXPIRED', decidedAt: at(600) });
    });

    it('expires it late when nobody was there at the deadline (I4)', () => {
      given(histories.awaiting()).when(commands.expireApproval(at(5000))).then([events.expired(at(600), at(5000))]);
    });

    it('does nothing before the deadline', () => {
      given(histories.awaiting()).when(commands.expireApproval(at(599))).thenNothingHappens();
    });

    it('compares instants, not strings, across offsets', () => {
      given(histories.awaiting()).when(commands.expireApproval('2025-01-01T01:09:59+01:00')).thenNothingHappens();
      given(histories.awaiting()).when(commands.expireApproval('2025-01-01T01:10:00+01:00')).then([
        events.expired(at(600), '2025-01-01T01:10:00+01:00'),
      ]);
    });

    it.each([
      ['approved', histories.approvedByHumans()],
      ['expired', histories.expired()],
      ['cancelled', histories.cancelled()],
    ])('does nothing once %s (I3)', (_name, history) => {
      given(history).when(commands.expireApproval(at(9000))).thenNothingHappens();
    });

    it('does nothing before an approval was requested', () => {
      given(histories.requested()).when(commands.expireApproval(at(9000))).thenNothingHappens();
    });

    it('refuses an unknown action', () => {
      given([]).when(commands.expireApproval(at(9000))).thenFails('NOT_FOUND');
    });
  });

  describe('CancelAction', () => {
    it('cancels a requested action', () => {
      const state = given(histories.requested()).when(commands.cancelAction()).then([events.cancelled()]);
      expect(state).toMatchObject({ status: 'final', outcome: 'CANCELLED', reason: 'no longer needed' });
    });

    it('cancels an action awaiting approval', () => {
      given(histories.awaiting()).when(commands.cancelAction()).then([events.cancelled()]);
    });

    it('expires instead of cancelling once the deadline has passed (I4)', () => {
      given(histories.awaiting()).when(commands.cancelAction(agentId, at(601))).then([events.expired(at(600), at(601))]);
    });

    it.each(['alice', 'bob', 'agent-8'])('lets only the requesting agent cancel, not %s', (who) => {
      given(histories.awaiting()).when(commands.cancelAction(who)).thenFails('PERMISSION_DENIED', /agent-7/);
    });

    it.each([
      ['approved', histories.approvedByHumans(), /approved/],
      ['denied', histories.deniedByPolicy(), /denied/],
      ['expired', histories.expired(), /expired/],
      ['cancelled', histories.cancelled(), /cancelled/],
    ])('refuses once %s, naming the outcome (I3)', (_name, history, outcome) => {
      given(history).when(commands.cancelAction()).thenFails('ALREADY_FINAL', outcome);
    });

    it('refuses an unknown action', () => {
      given([]).when(commands.cancelAction()).thenFails('NOT_FOUND');
    });
  });

  describe('IssueGrant', () => {
    it('issues a grant bound to the agent and the request hash after approval (I5)', () => {
      const state = given(histories.approvedByPolicy()).when(commands.issueGrant()).then([events.grantIssued()]);
      expect(state).toMatchObject({ status: 'final', grant: { grantId: 'grant-1', expiresAt: at(320) } });
    });

    it('issues one after human approval too', () => {
      given(histories.approvedByHumans()).when(commands.issueGrant()).then([events.grantIssued()]);
    });

    it('does not issue a second grant', () => {
      given(histories.granted()).when(commands.issueGrant('grant-2')).thenNothingHappens();
    });

    it.each([
      ['requested', histories.requested()],
      ['awaiting approval', histories.awaiting()],
      ['denied', histories.deniedByPolicy()],
      ['expired', histories.expired()],
      ['cancelled', histories.cancelled()],
    ])('refuses when %s (I5)', (_name, history) => {
      given(history).when(commands.issueGrant()).thenFails('INVALID_STATE');
    });

    it('refuses a grant that has already expired', () => {
      const command: ApprovalCommand = {
        type: 'IssueGrant',
        data: { actionId, grantId: 'grant-1', token: 'jws', expiresAt: at(10) },
        meta: { now: at(20) },
      };
      given(histories.approvedByPolicy()).when(command).thenFails('INVALID_ARGUMENT', /expiresAt/);
    });

    it('refuses an unknown action', () => {
      given([]).when(commands.issueGrant()).thenFails('NOT_FOUND');
    });
  });

  describe('RecordNotification', () => {
    it('records a notification while awaiting approval', () => {
      const state = given(histories.awaiting())
        .when(commands.recordNotification())
        .then([{ type: 'ApprovalNotified', data: { actionId, channel: 'slack', target: '#approvals', notifiedAt: at(5) } }]);
      expect(state).toMatchObject({ notifications: 1 });
    });

    it('records a redelivered notice for the same target once, another target again', () => {
      const notified = { type: 'ApprovalNotified' as const, data: { actionId, channel: 'slack', target: '#approvals', notifiedAt: at(5) } };
      given([...histories.awaiting(), notified]).when(commands.recordNotification()).thenNothingHappens();
      given([...histories.awaiting(), { ...notified, data: { ...notified.data, target: '#other' } }])
        .when(commands.recordNotification())
        .then([notified]);
    });

    it.each([
      ['unknown', []],
      ['requested', histories.requested()],
      ['final', histories.approvedByHumans()],
    ])('does nothing when the action is %s', (_name, history) => {
      given(history).when(commands.recordNotification()).thenNothingHappens();
    });
  });

  describe('ExpireUnevaluated', () => {
    it('expires an action whose evaluation never arrived, with the reason (fail closed)', () => {
      const state = given(histories.requested())
        .when({ type: 'ExpireUnevaluated', data: { actionId, reason: 'no policy evaluation after 10 attempts' }, meta: { now: at(300) } })
        .then([{ type: 'ActionExpired', data: { actionId, expiresAt: at(300), expiredAt: at(300), reason: 'no policy evaluation after 10 attempts' } }]);
      expect(state).toMatchObject({ status: 'final', outcome: 'EXPIRED', reason: 'no policy evaluation after 10 attempts' });
    });

    it.each([
      ['awaiting approval', histories.awaiting()],
      ['final', histories.approvedByPolicy()],
    ])('does nothing once the action is %s', (_name, history) => {
      given(history).when({ type: 'ExpireUnevaluated', data: { actionId, reason: 'r' }, meta: { now: at(300) } }).thenNothingHappens();
    });
  });

  describe('ReportExecution', () => {
    it('refuses a report after the grant expired (I5)', () => {
      given(histories.granted()).when(commands.reportExecution('grant-1', agentId, at(320))).thenFails('PERMISSION_DENIED', /expired/);
    });

    it('records the execution under the issued grant', () => {
      const state = given(histories.granted()).when(commands.reportExecution()).then([events.executionReported()]);
      expect(state).toMatchObject({ execution: { grantId: 'grant-1', status: 'SUCCEEDED', reportedAt: at(30) } });
    });

    it('refuses a second report: a grant is single-use (I5)', () => {
      given([...histories.granted(), events.executionReported()])
        .when(commands.reportExecution())
        .thenFails('ALREADY_FINAL', /single-use/);
    });

    it('refuses another grant id (I5)', () => {
      given(histories.granted()).when(commands.reportExecution('grant-2')).thenFails('PERMISSION_DENIED', /grant-2/);
    });

    it('refuses another agent (I5)', () => {
      given(histories.granted()).when(commands.reportExecution('grant-1', 'agent-8')).thenFails('PERMISSION_DENIED', /agent-8/);
    });

    it('refuses before a grant was issued', () => {
      given(histories.approvedByPolicy()).when(commands.reportExecution()).thenFails('INVALID_STATE', /no execution grant/);
    });

    it.each([
      ['requested', histories.requested()],
      ['awaiting approval', histories.awaiting()],
      ['denied', histories.deniedByPolicy()],
      ['expired', histories.expired()],
    ])('refuses when %s', (_name, history) => {
      given(history).when(commands.reportExecution()).thenFails('INVALID_STATE');
    });

    it('refuses an unknown action', () => {
      given([]).when(commands.reportExecution()).thenFails('NOT_FOUND');
    });
  });
});

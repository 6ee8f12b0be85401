import type { ApprovalCommand } from './approval.commands';
import { foldEvents } from './approval.decider';
import type { ApprovalEvent, ApprovalRequirement, BreakGlassVerdict } from './approval.events';
import { actionId, agentId, at, given, histories, onBehalfOf, requirement } from './approval.spec-helpers';

const offering = (overrides: Partial<ApprovalRequirement> = {}) =>
  requirement({ breakGlass: { groups: ['oncall'], reviewWithinSeconds: 86_400 }, ...overrides });

const invoke = (id: string, groups: string[], justification = 'prod is down', now = at(10)): ApprovalCommand => ({
  type: 'InvokeBreakGlass',
  data: { actionId, invoker: { id, groups, channel: 'cli' }, justification },
  meta: { now },
});

const review = (id: string, groups: string[], verdict: BreakGlassVerdict = 'JUSTIFIED', now = at(3600), comment = 'the outage was real'): ApprovalCommand => ({
  type: 'ReviewBreakGlass',
  data: { actionId, reviewer: { id, groups, channel: 'console' }, verdict, comment },
  meta: { now },
});

const invoked = (by = 'olga', invokedByRequester = false): ApprovalEvent[] => [
  {
    type: 'BreakGlassInvoked',
    data: {
      actionId,
      invokedBy: by,
      channel: 'cli',
      justification: 'prod is down',
      invokedByRequester,
      reviewGroups: ['sec'],
      invokedAt: at(10),
      reviewDueAt: at(86_410),
    },
  },
  { type: 'ActionApproved', data: { actionId, approvedBy: [by], by: 'BREAK_GLASS', approvedAt: at(10) } },
];

describe('approval decider: break-glass', () => {
  it('approves at once, recorded as its own event with the review it opens', () => {
    const state = given(histories.awaiting(offering())).when(invoke('olga', ['oncall'])).then(invoked());
    expect(state).toMatchObject({
      status: 'final',
      outcome: 'APPROVED',
      approvedVia: 'BREAK_GLASS',
      breakGlass: { invoked: { invokedBy: 'olga', reviewDueAt: at(86_410) }, notified: [] },
    });
    expect(state.status === 'final' && state.breakGlass?.review).toBeUndefined();
  });

  it('is never available to a request whose policy does not offer it: refused and recorded', () => {
    const decided = given(histories.awaiting(requirement())).when(invoke('olga', ['oncall'])).produced();
    expect(decided).toEqual([
      expect.objectContaining({ type: 'BreakGlassRejected', data: expect.objectContaining({ attemptedBy: 'olga', attempt: 'INVOKE', reason: 'NOT_OFFERED' }) }),
    ]);
    expect(foldEvents([...histories.awaiting(requirement()), ...decided]).status).toBe('awaiting_approval');
  });

  it('refuses, and records, someone outside the break-glass groups, even an approver of the request', () => {
    const decided = given(histories.awaiting(offering())).when(invoke('bob', ['sec'])).produced();
    expect(decided).toEqual([expect.objectContaining({ type: 'BreakGlassRejected', data: expect.objectContaining({ reason: 'NOT_ELIGIBLE' }) })]);
  });

  it('refuses the requesting agent itself', () => {
    const decided = given(histories.awaiting(offering())).when(invoke(agentId, ['oncall'])).produced();
    expect(decided).toEqual([expect.objectContaining({ type: 'BreakGlassRejected', data: expect.objectContaining({ reason: 'SELF_APPROVAL' }) })]);
  });

  it('lets the on-behalf-of human in the break-glass group take it, marked loudly as the requesting side', () => {
    const decided = given(histories.awaiting(offering())).when(invoke(onBehalfOf, ['oncall'])).produced();
    expect(decided[0]).toMatchObject({ type: 'BreakGlassInvoked', data: { invokedBy: onBehalfOf, invokedByRequester: true } });
  });

  it('needs a justification, an open request before its deadline, and changes nothing otherwise', () => {
    given(histories.awaiting(offering())).when(invoke('olga', ['oncall'], '  ')).thenFails('INVALID_ARGUMENT', /justification/);
    given(histories.awaiting(offering())).when(invoke('olga', ['oncall'], 'down', at(600))).thenFails('INVALID_STATE', /expired/);
    given(histories.requested()).when(invoke('olga', ['oncall'])).thenFails('INVALID_STATE', /not been evaluated/);
    given(histories.approvedByHumans()).when(invoke('olga', ['oncall'])).thenFails('ALREADY_FINAL');
    given([]).when(invoke('olga', ['oncall'])).thenFails('NOT_FOUND');
  });

  describe('the mandatory review', () => {
    const history = () => [...histories.awaiting(offering()), ...invoked()];

    it('is recorded once, by an approver of the required groups', () => {
      const state = given(history())
        .when(review('bob', ['sec'], 'UNJUSTIFIED', at(3600), 'could have waited'))
        .then([
          {
            type: 'BreakGlassReviewed',
            data: { actionId, reviewedBy: 'bob', channel: 'console', verdict: 'UNJUSTIFIED', comment: 'could have waited', reviewedAt: at(3600) },
          },
        ]);
      expect(state).toMatchObject({ breakGlass: { review: { reviewedBy: 'bob', verdict: 'UNJUSTIFIED' } } });
      given([...history(), ...given(history()).when(review('bob', ['sec'])).produced()]).when(review('carol', ['sec'])).thenFails('ALREADY_FINAL');
    });

    it('refuses and records a review by the invoker, or by the requesting side, whatever their groups', () => {
      const byInvoker = given([...histories.awaiting(offering()), ...invoked('frank')]).when(review('frank', ['sec', 'oncall'])).produced();
      expect(byInvoker).toEqual([expect.objectContaining({ type: 'BreakGlassRejected', data: expect.objectContaining({ attempt: 'REVIEW', reason: 'SELF_REVIEW' }) })]);
      const byRequester = given(history()).when(review(onBehalfOf, ['sec'])).produced();
      expect(byRequester).toEqual([expect.objectContaining({ type: 'BreakGlassRejected', data: expect.objectContaining({ reason: 'SELF_REVIEW' }) })]);
    });

    it('refuses and records a reviewer outside the review groups', () => {
      const decided = given(history()).when(review('mallory', ['ops'])).produced();
      expect(decided).toEqual([expect.objectContaining({ type: 'BreakGlassRejected', data: expect.objectContaining({ reason: 'NOT_ELIGIBLE' }) })]);
    });

    it('refuses a review where no glass was broken, a bad verdict or an empty comment', () => {
      given(histories.approvedByHumans()).when(review('bob', ['sec'])).thenFails('NOT_FOUND', /no break-glass/);
      given(history()).when(review('bob', ['sec'], 'MAYBE' as BreakGlassVerdict)).thenFails('INVALID_ARGUMENT', /verdict/);
      given(history()).when(review('bob', ['sec'], 'JUSTIFIED', at(3600), '')).thenFails('INVALID_ARGUMENT', /comment/);
    });
  });

  it('records each approver told about it once, per channel', () => {
    const notice = (target: string): ApprovalCommand => ({
      type: 'RecordNotification',
      data: { actionId, channel: 'log', target, purpose: 'BREAK_GLASS' },
      meta: { now: at(11) },
    });
    const history = [...histories.awaiting(offering()), ...invoked()];
    const first = given(history).when(notice('bob')).then([{ type: 'BreakGlassNotified', data: { actionId, channel: 'log', recipient: 'bob', notifiedAt: at(11) } }]);
    expect(first).toMatchObject({ breakGlass: { notified: ['log bob'] } });
    given([...history, ...given(history).when(notice('bob')).produced()]).when(notice('bob')).thenNothingHappens();
    given(histories.approvedByHumans()).when(notice('bob')).thenNothingHappens();
  });
});

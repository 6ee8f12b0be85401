import { type Decision, describeOutcome, isNonBlank, notFound, requesterRole } from './approval.checks';
import type { InvokeBreakGlass, RecordNotification, ReviewBreakGlass } from './approval.commands';
import type { Approver, BreakGlassRejected, BreakGlassRejectionReason } from './approval.events';
import { notificationKey } from './approval.evolve';
import { requiredGroups } from './approval.requirement';
import type { ApprovalState } from './approval.state';
import { fail, ok } from '../errors';
import { addSeconds, isAtOrAfter } from '../instant';

/**
 * Break-glass: the emergency path a policy may offer for a request (`@breakGlass`). A member of the
 * groups it names approves the action at once, with a justification; that is recorded as its own
 * event, every approver of the required groups is told, and one of them (not the invoker, not the
 * requesting side) must review it afterwards. A request whose policy offers no such path never
 * gets one, and every refused attempt is recorded.
 */
export function invokeBreakGlass(command: InvokeBreakGlass, state: ApprovalState): Decision {
  const { data, meta } = command;
  if (state.status === 'none') return notFound(data.actionId);
  if (!isNonBlank(data.invoker?.id)) return fail('INVALID_ARGUMENT', 'invoker.id must identify an authenticated human');
  if (!isNonBlank(data.justification)) return fail('INVALID_ARGUMENT', 'justification must say why this cannot wait for approval');
  if (state.status === 'final') return fail('ALREADY_FINAL', `action ${state.actionId} is already ${describeOutcome(state)}`);
  if (state.status === 'requested') {
    return fail('INVALID_STATE', `action ${state.actionId} has not been evaluated yet; break-glass applies to an open approval request`);
  }
  if (isAtOrAfter(meta.now, state.expiresAt)) {
    return fail('INVALID_STATE', `the approval request of action ${state.actionId} expired at ${state.expiresAt}`);
  }
  const reject = (reason: BreakGlassRejectionReason, detail: string) => ok([rejection(data.actionId, data.invoker, 'INVOKE', reason, detail, meta.now)]);
  const offered = state.requirement.breakGlass;
  if (!offered) {
    return reject('NOT_OFFERED', `the policy that asked for this approval offers no break-glass (${state.evaluation?.determiningPolicies.join(', ') ?? 'unknown'})`);
  }
  if (data.invoker.id === state.request.agentId) return reject('SELF_APPROVAL', `${data.invoker.id} is the agent that requested this action`);
  const groups = new Set(data.invoker.groups ?? []);
  if (!offered.groups.some((group) => groups.has(group))) {
    return reject('NOT_ELIGIBLE', `${data.invoker.id} is in none of the break-glass groups (${offered.groups.join(', ')})`);
  }
  const reviewDueAt = addSeconds(meta.now, offered.reviewWithinSeconds);
  if (reviewDueAt === undefined) return fail('INVALID_ARGUMENT', 'breakGlass.reviewWithinSeconds puts the review deadline out of range');
  return ok([
    {
      type: 'BreakGlassInvoked',
      data: {
        actionId: state.actionId,
        invokedBy: data.invoker.id,
        channel: data.invoker.channel,
        justification: data.justification.trim(),
        invokedByRequester: requesterRole(state, data.invoker.id) !== undefined,
        reviewGroups: requiredGroups(state.requirement),
        invokedAt: meta.now,
        reviewDueAt,
      },
    },
    {
      type: 'ActionApproved',
      data: { actionId: state.actionId, approvedBy: [data.invoker.id], by: 'BREAK_GLASS', approvedAt: meta.now },
    },
  ]);
}

/** The mandatory review: one approver of the review groups, from neither the requesting side nor the invoker. */
export function reviewBreakGlass(command: ReviewBreakGlass, state: ApprovalState): Decision {
  const { data, meta } = command;
  if (state.status === 'none') return notFound(data.actionId);
  if (!isNonBlank(data.reviewer?.id)) return fail('INVALID_ARGUMENT', 'reviewer.id must identify an authenticated human');
  if (data.verdict !== 'JUSTIFIED' && data.verdict !== 'UNJUSTIFIED') {
    return fail('INVALID_ARGUMENT', `verdict must be JUSTIFIED or UNJUSTIFIED, got "${String(data.verdict)}"`);
  }
  if (!isNonBlank(data.comment)) return fail('INVALID_ARGUMENT', 'comment must record what the review found');
  const breakGlass = state.breakGlass;
  if (!breakGlass) return fail('NOT_FOUND', `no break-glass was invoked for action ${state.actionId}`);
  if (breakGlass.review) {
    return fail('ALREADY_FINAL', `the break-glass of action ${state.actionId} was reviewed by ${breakGlass.review.reviewedBy} at ${breakGlass.review.reviewedAt}`);
  }
  const reject = (reason: BreakGlassRejectionReason, detail: string) => ok([rejection(data.actionId, data.reviewer, 'REVIEW', reason, detail, meta.now)]);
  if (data.reviewer.id === breakGlass.invoked.invokedBy) return reject('SELF_REVIEW', `${data.reviewer.id} broke the glass and cannot review it`);
  const role = requesterRole(state, data.reviewer.id);
  if (role) return reject('SELF_REVIEW', role);
  const groups = new Set(data.reviewer.groups ?? []);
  if (!breakGlass.invoked.reviewGroups.some((group) => groups.has(group))) {
    return reject('NOT_ELIGIBLE', `${data.reviewer.id} is in none of the review groups (${breakGlass.invoked.reviewGroups.join(', ')})`);
  }
  return ok([
    {
      type: 'BreakGlassReviewed',
      data: {
        actionId: state.actionId,
        reviewedBy: data.reviewer.id,
        channel: data.reviewer.channel,
        verdict: data.verdict,
        comment: data.comment.trim(),
        reviewedAt: meta.now,
      },
    },
  ]);
}

/** Records that one approver was told the glass was broken; each approver and channel once. */
export function recordBreakGlassNotice({ data, meta }: RecordNotification, state: ApprovalState): Decision {
  if (state.status === 'none' || !state.breakGlass) return ok([]);
  if (state.breakGlass.notified.includes(notificationKey(data.channel, data.target))) return ok([]);
  return ok([{ type: 'BreakGlassNotified', data: { actionId: state.actionId, channel: data.channel, recipient: data.target, notifiedAt: meta.now } }]);
}

function rejection(
  actionId: string,
  who: Approver,
  attempt: BreakGlassRejected['data']['attempt'],
  reason: BreakGlassRejectionReason,
  detail: string,
  now: string,
): BreakGlassRejected {
  return { type: 'BreakGlassRejected', data: { actionId, attemptedBy: who.id, channel: who.channel, attempt, reason, detail, attemptedAt: now } };
}

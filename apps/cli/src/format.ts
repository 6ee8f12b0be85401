import type { ActionStatus__Output, ActionView__Output, ApprovalStep__Output, Resource__Output, Vote__Output } from '@approvals/contracts';
import { ExitCode } from './errors';
import { formatKeyValues } from './table';

/** `dataset:customers`, or '' when there is no resource. */
export function formatResource(resource: Resource__Output | null | undefined): string {
  return resource ? `${resource.kind}:${resource.id}` : '';
}

/** `1 of data-owners, 1 of security`. */
export function formatSteps(steps: readonly ApprovalStep__Output[]): string {
  return steps.map((step) => `${step.minApprovals} of ${step.group}`).join(', ');
}

/** `alice APPROVE via cli at 2025-01-01T10:00:00Z: "looks fine"`. */
export function formatVote(vote: Vote__Output): string {
  const parts = [vote.approverId, vote.decision];
  if (vote.channel) parts.push(`via ${vote.channel}`);
  if (vote.castAt) parts.push(`at ${vote.castAt}`);
  return `${parts.join(' ')}${vote.comment ? `: "${vote.comment}"` : ''}`;
}

/** True once an action has its one final outcome. */
export function isFinal(status: ActionStatus__Output): boolean {
  return status === 'APPROVED' || status === 'DENIED' || status === 'EXPIRED' || status === 'CANCELLED';
}

/** 0 for approved, 3 for any other final outcome, 4 while undecided. */
export function outcomeExitCode(status: ActionStatus__Output): ExitCode {
  if (status === 'APPROVED') return ExitCode.ok;
  return isFinal(status) ? ExitCode.negative : ExitCode.undecided;
}

/** One line about where an action stands, for `watch`. */
export function describeProgress(view: ActionView__Output): string {
  switch (view.status) {
    case 'PENDING_POLICY':
      return 'waiting for the policy evaluation';
    case 'AWAITING_APPROVAL': {
      const approval = view.approval;
      const parts = approval ? [`needs ${formatSteps(approval.steps)}`] : ['waiting for approvers'];
      if (approval && approval.votes.length > 0) parts.push(`votes: ${approval.votes.map((v) => `${v.approverId} ${v.decision}`).join(', ')}`);
      if (approval?.expiresAt) parts.push(`expires ${approval.expiresAt}`);
      return parts.join('; ');
    }
    case 'APPROVED':
    case 'DENIED':
    case 'EXPIRED':
    case 'CANCELLED':
      return [view.reason, view.decidedAt ? `at ${view.decidedAt}` : ''].filter(Boolean).join(' ');
    case 'ACTION_STATUS_UNSPECIFIED':
      return '';
    default: {
      const unexpected: never = view.status;
      return String(unexpected);
    }
  }
}

/** An action's state as label/value lines; empty fields are left out. */
export function formatActionView(view: ActionView__Output): string {
  const evaluation = view.evaluation;
  const approval = view.approval;
  const pairs: [string, string][] = [
    ['action id', view.actionId],
    ['status', view.status],
    ['agent', view.agentId],
    ['model', view.model],
    ['on behalf of', view.onBehalfOf],
    ['action', view.action],
    ['resource', formatResource(view.resource)],
    ['environment', view.environment],
    ['classification', view.dataClassification],
    ['parameters', view.parametersJson],
    ['justification', view.justification],
    ['idempotency key', view.idempotencyKey],
    ['run', view.runId],
    ['requested at', view.requestedAt],
  ];
  if (evaluation) {
    const policies = evaluation.determiningPolicies.length ? ` by ${evaluation.determiningPolicies.join(', ')}` : '';
    const version = evaluation.policyVersion ? ` (policy set ${evaluation.policyVersion})` : '';
    pairs.push(['policy', `${evaluation.outcome}${policies}${version}`]);
    for (const reason of evaluation.reasons) pairs.push(['policy reason', reason]);
  }
  if (approval) {
    pairs.push(['approval needs', formatSteps(approval.steps)]);
    pairs.push(['expires at', approval.expiresAt]);
    if (approval.standingMaxSeconds > 0) pairs.push(['standing allowed', `up to ${approval.standingMaxSeconds} s`]);
    if (approval.breakGlassGroups.length > 0) pairs.push(['break-glass by', approval.breakGlassGroups.join(', ')]);
    for (const vote of approval.votes) pairs.push(['vote', formatVote(vote)]);
  }
  pairs.push(['decided at', view.decidedAt], ['reason', view.reason], ['approved via', view.approvedVia]);
  if (view.standingApprovalOf) pairs.push(['covered by', `the standing approval of action ${view.standingApprovalOf}`]);
  const standing = view.standingApproval;
  if (standing) {
    const scope = standing.scope === 'RUN' ? `identical requests in run ${standing.runId}` : 'identical requests';
    const revoked = standing.revokedAt ? `; revoked by ${standing.revokedBy} at ${standing.revokedAt}` : '';
    pairs.push(['standing approval', `${scope} until ${standing.expiresAt}, by ${standing.approvedBy.join(', ')}${revoked}`]);
  }
  const breakGlass = view.breakGlass;
  if (breakGlass) {
    pairs.push(['break-glass', `by ${breakGlass.invokedBy} at ${breakGlass.invokedAt}: ${breakGlass.justification}`]);
    pairs.push([
      'review',
      breakGlass.reviewedBy
        ? `${breakGlass.verdict.toLowerCase()} (${breakGlass.reviewedBy} at ${breakGlass.reviewedAt})`
        : `due ${breakGlass.reviewDueAt} by ${breakGlass.reviewGroups.join(' or ')}`,
    ]);
  }
  if (view.grant) pairs.push(['grant', `${view.grant.grantId}${view.grant.expiresAt ? ` (expires ${view.grant.expiresAt})` : ''}`]);
  if (view.execution) {
    const execution = view.execution;
    pairs.push(['execution', [execution.status, execution.detail, execution.reportedAt ? `at ${execution.reportedAt}` : ''].filter(Boolean).join(' ')]);
  }
  pairs.push(['revision', view.revision]);
  return formatKeyValues(pairs);
}

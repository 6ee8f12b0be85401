import type { ActionView__Output } from '@approvals/contracts';
import type { ApprovalState } from '@approvals/domain';
import { actionStatusOf } from '../action-status';
import { canonicalJson } from '../ledger/event-hash';

/** The API's view of an action, folded from its stream. */
export function toActionView(state: ApprovalState, revision: number): ActionView__Output {
  if (state.status === 'none') throw new Error('no view of an action that does not exist');
  const { request } = state;
  const requirement = state.status === 'awaiting_approval' || state.status === 'final' ? state.requirement : undefined;
  const expiresAt = state.status === 'awaiting_approval' || state.status === 'final' ? state.expiresAt : undefined;
  const final = state.status === 'final' ? state : undefined;
  return {
    actionId: state.actionId,
    status: actionStatusOf(state),
    agentId: request.agentId,
    model: request.model,
    onBehalfOf: request.onBehalfOf ?? '',
    action: request.action,
    resource: { kind: request.resource.kind, id: request.resource.id },
    environment: request.environment,
    dataClassification: request.dataClassification ?? '',
    // The canonical text the request hash covers (I5), not a re-serialisation.
    parametersJson: canonicalJson(request.parameters),
    justification: request.justification,
    idempotencyKey: request.idempotencyKey,
    requestedAt: state.requestedAt,
    evaluation: state.evaluation
      ? {
          outcome: state.evaluation.outcome,
          policyVersion: state.evaluation.policyVersion,
          determiningPolicies: state.evaluation.determiningPolicies,
          reasons: state.evaluation.reasons,
          evaluatedAt: state.evaluation.evaluatedAt,
        }
      : null,
    approval: requirement
      ? {
          steps: requirement.steps.map((s) => ({ group: s.group, minApprovals: s.minApprovals })),
          expiresAt: expiresAt ?? '',
          denyEndsRequest: requirement.denyEndsRequest,
          standingMaxSeconds: requirement.standing?.maxSeconds ?? 0,
          breakGlassGroups: requirement.breakGlass?.groups ?? [],
          channels: requirement.channels ?? [],
          votes: state.votes.map((v) => ({
            approverId: v.approverId,
            decision: v.decision,
            channel: v.channel,
            comment: v.comment ?? '',
            castAt: v.castAt,
          })),
        }
      : null,
    decidedAt: final?.decidedAt ?? '',
    reason: final?.reason ?? '',
    grant: final?.grant
      ? {
          grantId: final.grant.grantId,
          token: final.grant.token,
          expiresAt: final.grant.expiresAt,
          redeemedAt: final.grant.redeemed?.redeemedAt ?? '',
          revokedAt: final.grant.revoked?.revokedAt ?? '',
        }
      : null,
    execution: final?.execution
      ? {
          grantId: final.execution.grantId,
          status: final.execution.status,
          detail: final.execution.detail,
          reportedAt: final.execution.reportedAt,
        }
      : null,
    revision: String(revision),
    runId: request.runId ?? '',
    requestHash: state.requestHash,
    approvedVia: final?.outcome === 'APPROVED' ? (final.approvedVia ?? '') : '',
    standingApprovalOf: final?.standingApprovalOf ?? '',
    standingApproval: final?.standing
      ? {
          scope: final.standing.granted.scope,
          runId: final.standing.granted.runId ?? '',
          approvedBy: final.standing.granted.approvers.map((a) => a.approverId),
          grantedAt: final.standing.granted.grantedAt,
          expiresAt: final.standing.granted.expiresAt,
          revokedAt: final.standing.revoked?.revokedAt ?? '',
          revokedBy: final.standing.revoked?.revokedBy ?? '',
        }
      : null,
    breakGlass: state.breakGlass
      ? {
          invokedBy: state.breakGlass.invoked.invokedBy,
          justification: state.breakGlass.invoked.justification,
          invokedAt: state.breakGlass.invoked.invokedAt,
          reviewDueAt: state.breakGlass.invoked.reviewDueAt,
          reviewGroups: state.breakGlass.invoked.reviewGroups,
          reviewedBy: state.breakGlass.review?.reviewedBy ?? '',
          verdict: state.breakGlass.review?.verdict ?? '',
          reviewedAt: state.breakGlass.review?.reviewedAt ?? '',
        }
      : null,
  };
}

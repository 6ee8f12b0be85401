import type { ActionView__Output } from '@approvals/contracts';
import type { ApprovalState } from '@approvals/domain';
import { actionStatusOf } from '../action-status';

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
    parametersJson: JSON.stringify(request.parameters),
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
      ? { grantId: final.grant.grantId, token: final.grant.token, expiresAt: final.grant.expiresAt }
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
  };
}

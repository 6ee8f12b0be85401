import { fail, ok } from '../errors';
import { addSeconds } from '../instant';
import { type Decision, exhaustive, isNonBlank, notFound } from './approval.checks';
import type { RecordEvaluation } from './approval.commands';
import type { ApprovalRequirement, PolicyEvaluated } from './approval.events';
import { validateRequirement } from './approval.requirement';
import { standingCoverageGap } from './approval.standing';
import type { ApprovalState, RequestedState } from './approval.state';

/** Recording the policy's evaluation: allow, deny, or the approval it requires (from then on the deadline runs, I4). */

export function recordEvaluation(command: RecordEvaluation, state: ApprovalState): Decision {
  switch (state.status) {
    case 'none':
      return notFound(command.data.actionId);
    case 'requested':
      // The stream was written by hand if it holds an evaluation here; never evaluate twice.
      return state.evaluation ? ok([]) : evaluate(command, state);
    case 'awaiting_approval':
      return ok([]);
    case 'final':
      // Late (e.g. the agent cancelled first) or redelivered: the outcome stands (I3), nothing to record.
      return ok([]);
    default:
      return exhaustive(state);
  }
}

function evaluate({ data, meta }: RecordEvaluation, state: RequestedState): Decision {
  if (!isNonBlank(data.policyVersion)) {
    return fail('INVALID_ARGUMENT', 'policyVersion must name the policy set that decided (I9)');
  }
  if (data.requestHash !== state.requestHash) {
    // The policies judged other parameters than those recorded and shown: their verdict does not apply.
    return fail('INVALID_ARGUMENT', `the evaluation is of request hash ${data.requestHash}, not of the recorded request (hash ${state.requestHash})`);
  }
  const evaluated: PolicyEvaluated = {
    type: 'PolicyEvaluated',
    data: {
      actionId: state.actionId,
      outcome: data.outcome,
      policyVersion: data.policyVersion,
      determiningPolicies: [...data.determiningPolicies],
      reasons: [...data.reasons],
      ...(data.requirement ? { requirement: copyRequirement(data.requirement) } : {}),
      requestHash: data.requestHash,
      evaluatedAt: meta.now,
    },
  };
  switch (data.outcome) {
    case 'ALLOW':
      return ok([evaluated, { type: 'ActionApproved', data: { actionId: state.actionId, approvedBy: [], by: 'POLICY', approvedAt: meta.now } }]);
    case 'DENY': {
      const reason = data.reasons.length > 0 ? data.reasons.join('; ') : `denied by policy set ${data.policyVersion}`;
      return ok([evaluated, { type: 'ActionDenied', data: { actionId: state.actionId, by: 'POLICY', reason, deniedAt: meta.now } }]);
    }
    case 'REQUIRE_APPROVAL': {
      if (!data.requirement) {
        return fail('INVALID_ARGUMENT', 'an evaluation with outcome REQUIRE_APPROVAL must carry the approval requirement');
      }
      const problem = validateRequirement(data.requirement);
      if (problem) return { ok: false, error: problem };
      const expiresAt = addSeconds(meta.now, data.requirement.ttlSeconds);
      if (expiresAt === undefined) {
        return fail('INVALID_ARGUMENT', `requirement.ttlSeconds ${data.requirement.ttlSeconds} puts the deadline out of range`);
      }
      if (data.standing && standingCoverageGap(data.standing, state, data.requirement, meta.now) === undefined) {
        const { granted } = data.standing;
        return ok([
          evaluated,
          {
            type: 'ActionApproved',
            data: {
              actionId: state.actionId,
              approvedBy: granted.approvers.map((approver) => approver.approverId),
              by: 'STANDING_APPROVAL',
              standingApprovalOf: granted.actionId,
              approvedAt: meta.now,
            },
          },
        ]);
      }
      return ok([
        evaluated,
        {
          type: 'ApprovalRequested',
          data: { actionId: state.actionId, requirement: copyRequirement(data.requirement), requestedAt: meta.now, expiresAt },
        },
      ]);
    }
    default: {
      const unknown: never = data.outcome;
      return fail('INVALID_ARGUMENT', `unknown policy outcome "${String(unknown)}"`);
    }
  }
}

function copyRequirement(requirement: ApprovalRequirement): ApprovalRequirement {
  return {
    ...requirement,
    steps: requirement.steps.map((step) => ({ ...step })),
    ...(requirement.channels ? { channels: [...requirement.channels] } : {}),
    ...(requirement.escalation ? { escalation: requirement.escalation.map((step) => ({ ...step })) } : {}),
    ...(requirement.standing ? { standing: { ...requirement.standing } } : {}),
    ...(requirement.breakGlass ? { breakGlass: { ...requirement.breakGlass, groups: [...requirement.breakGlass.groups] } } : {}),
  };
}

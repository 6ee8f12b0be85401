import type { ActionRequest, ApprovalRequirement, PolicyOutcome } from '@approvals/domain';

/** What the policy engine concluded about one request (recorded as PolicyEvaluated, I9). */
export interface PolicyDecision {
  outcome: PolicyOutcome;
  /** Content hash of the policy set that decided. */
  policyVersion: string;
  /** Ids of the policies that determined the outcome. */
  determiningPolicies: string[];
  /** Human-readable reasons, one per determining policy (from their annotations). */
  reasons: string[];
  /** Present when outcome is REQUIRE_APPROVAL: the strictest requirement among matching policies. */
  requirement?: ApprovalRequirement | undefined;
}

export interface PolicyEngine {
  readonly version: string;
  /** May answer later: an engine can run in another thread. */
  evaluate(request: ActionRequest): PolicyDecision | Promise<PolicyDecision>;
}

import type { Directory } from '@approvals/application';
import type { CedarPolicySet } from './cedar-policy-set';

/**
 * Approval steps that the directory cannot satisfy (unknown group, or fewer members than the
 * quorum), one message per step; such requests could only expire. Break-glass groups without
 * members are reported too: an emergency path nobody can take. Empty when all is well.
 */
export function approverGroupProblems(policySet: CedarPolicySet, directory: Directory): string[] {
  const problems: string[] = [];
  for (const policy of policySet.policies.values()) {
    for (const step of policy.approval?.steps ?? []) {
      const members = directory.groupMembers(step.group).length;
      if (members < step.minApprovals) {
        problems.push(
          `${policy.file}:${policy.line}: policy "${policy.id}" needs ${step.minApprovals} approver(s) from "${step.group}", ` +
            `but the directory has ${members} member(s) in that group`,
        );
      }
    }
    for (const group of policy.approval?.breakGlass?.groups ?? []) {
      if (directory.groupMembers(group).length === 0) {
        problems.push(`${policy.file}:${policy.line}: policy "${policy.id}" offers break-glass to "${group}", but the directory has nobody in that group`);
      }
    }
  }
  return problems;
}

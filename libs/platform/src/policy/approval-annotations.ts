import type { ApprovalRequirement, ApprovalStep } from '@approvals/domain';

/** Annotations a policy may carry; any other annotation is rejected so that a typo cannot turn an approval into an ALLOW. */
export const knownPolicyAnnotations = ['id', 'reason', 'description', 'approval', 'approvers', 'quorum', 'ttl', 'denyEndsRequest'] as const;

/** TTL used when an approval policy has no `@ttl`. */
export const DEFAULT_APPROVAL_TTL_SECONDS = 3600;

/** What a policy's annotations say, once checked. */
export interface PolicyAnnotations {
  id?: string | undefined;
  reason?: string | undefined;
  /** Present when the policy is a permit annotated `@approval("required")`. */
  approval?: ApprovalRequirement | undefined;
}

const approvalOnly = ['approvers', 'quorum', 'ttl', 'denyEndsRequest'];
const groupPattern = /^[a-z0-9][a-z0-9._-]*$/;
const idPattern = /^[A-Za-z0-9][A-Za-z0-9._:-]*$/;
const positiveInteger = /^[1-9][0-9]{0,8}$/;

/**
 * Checks a policy's annotations and reads the approval requirement they describe.
 * Returns the problems found (empty when valid) alongside the parsed annotations.
 */
export function parsePolicyAnnotations(
  effect: 'permit' | 'forbid',
  annotations: Readonly<Record<string, string>>,
): { annotations: PolicyAnnotations; problems: string[] } {
  const problems: string[] = [];
  const known: readonly string[] = knownPolicyAnnotations;
  for (const key of Object.keys(annotations)) {
    if (!known.includes(key)) problems.push(`unknown annotation @${key} (known: ${knownPolicyAnnotations.map((k) => `@${k}`).join(', ')})`);
  }

  const id = annotations['id'];
  if (id !== undefined && !idPattern.test(id)) {
    problems.push(`@id("${id}") must be letters, digits, '.', '_', ':' or '-', starting with a letter or digit`);
  }
  const reason = annotations['reason'];
  if (reason !== undefined && reason.trim() === '') problems.push('@reason must not be empty');

  const approvalValue = annotations['approval'];
  if (approvalValue === undefined) {
    const stray = approvalOnly.filter((key) => key in annotations);
    if (stray.length > 0) {
      problems.push(`${stray.map((key) => `@${key}`).join(', ')} only apply to a permit annotated @approval("required")`);
    }
    return { annotations: { id, reason }, problems };
  }
  if (approvalValue !== 'required') problems.push(`@approval must be "required", got "${approvalValue}"`);
  if (effect !== 'permit') problems.push('@approval only applies to permit policies: a forbid always denies');

  const groups = (annotations['approvers'] ?? '').split(',').map((group) => group.trim());
  if (annotations['approvers'] === undefined) {
    problems.push('@approval("required") needs @approvers("group[,group...]")');
  } else {
    for (const group of groups) {
      if (!groupPattern.test(group)) problems.push(`@approvers: "${group}" is not a valid group name`);
    }
    const duplicates = groups.filter((group, index) => groups.indexOf(group) !== index);
    if (duplicates.length > 0) problems.push(`@approvers names "${duplicates[0]}" more than once`);
  }

  const quorumText = annotations['quorum'] ?? '1';
  const quorum = quorumText.split(',').map((value) => value.trim());
  if (quorum.some((value) => !positiveInteger.test(value))) {
    problems.push(`@quorum must be a positive integer or one per approver group ("2" or "2,1"), got "${quorumText}"`);
  } else if (quorum.length !== 1 && quorum.length !== groups.length) {
    problems.push(`@quorum("${quorumText}") has ${quorum.length} values for ${groups.length} approver groups`);
  }

  const ttlText = annotations['ttl'];
  if (ttlText !== undefined && !positiveInteger.test(ttlText)) {
    problems.push(`@ttl must be a positive whole number of seconds, got "${ttlText}"`);
  }

  const denyText = annotations['denyEndsRequest'];
  if (denyText !== undefined && denyText !== 'true' && denyText !== 'false') {
    problems.push(`@denyEndsRequest must be "true" or "false", got "${denyText}"`);
  }

  if (problems.length > 0) return { annotations: { id, reason }, problems };
  const steps: ApprovalStep[] = groups.map((group, index) => ({
    group,
    minApprovals: Number(quorum.length === 1 ? quorum[0] : quorum[index]),
  }));
  const approval: ApprovalRequirement = {
    steps,
    ttlSeconds: ttlText === undefined ? DEFAULT_APPROVAL_TTL_SECONDS : Number(ttlText),
    denyEndsRequest: denyText !== 'false',
  };
  return { annotations: { id, reason, approval }, problems };
}

/**
 * Combines the requirements of several matching approval policies into the strictest one:
 * every group of every policy (at the highest quorum asked for it), the shortest TTL, and
 * deny-ends-request when any policy asks for it.
 */
export function strictestRequirement(requirements: readonly ApprovalRequirement[]): ApprovalRequirement {
  const [first, ...rest] = requirements;
  if (!first) throw new Error('strictestRequirement needs at least one requirement');
  const quorumByGroup = new Map<string, number>();
  for (const requirement of requirements) {
    for (const step of requirement.steps) {
      quorumByGroup.set(step.group, Math.max(quorumByGroup.get(step.group) ?? 0, step.minApprovals));
    }
  }
  return {
    steps: [...quorumByGroup].map(([group, minApprovals]) => ({ group, minApprovals })),
    ttlSeconds: Math.min(first.ttlSeconds, ...rest.map((requirement) => requirement.ttlSeconds)),
    denyEndsRequest: requirements.some((requirement) => requirement.denyEndsRequest),
  };
}

import { channelKindNames, isChannelKind } from '@approvals/contracts';
import type { ApprovalRequirement, ApprovalStep } from '@approvals/domain';

/** Annotations a policy may carry; any other annotation is rejected so that a typo cannot turn an approval into an ALLOW. */
export const knownPolicyAnnotations = [
  'id',
  'reason',
  'description',
  'approval',
  'approvers',
  'quorum',
  'ttl',
  'denyEndsRequest',
  'standing',
  'breakGlass',
  'breakGlassReview',
  'channels',
  'escalate',
] as const;

/** Where approval requests can be delivered: `@channels("slack:#data-approvals, teams:data-owners")`, one of the channel kinds. */
export const approvalChannelKinds = channelKindNames;

/** TTL used when an approval policy has no `@ttl`. */
export const DEFAULT_APPROVAL_TTL_SECONDS = 3600;
/** How soon a break-glass approval must be reviewed when the policy has no `@breakGlassReview`. */
export const DEFAULT_BREAK_GLASS_REVIEW_SECONDS = 86_400;

/** What a policy's annotations say, once checked. */
export interface PolicyAnnotations {
  id?: string | undefined;
  reason?: string | undefined;
  /** Present when the policy is a permit annotated `@approval("required")`. */
  approval?: ApprovalRequirement | undefined;
}

const approvalOnly = ['approvers', 'quorum', 'ttl', 'denyEndsRequest', 'standing', 'breakGlass', 'breakGlassReview', 'channels', 'escalate'];
const channelPattern = /^([a-z]+):([^\s,]{1,200})$/;
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

  const standingText = annotations['standing'];
  if (standingText !== undefined && !positiveInteger.test(standingText)) {
    problems.push(`@standing must be the longest standing approval allowed, in whole seconds (e.g. "1800"), got "${standingText}"`);
  }

  const breakGlassText = annotations['breakGlass'];
  const breakGlassGroups = (breakGlassText ?? '').split(',').map((group) => group.trim());
  if (breakGlassText !== undefined) {
    for (const group of breakGlassGroups) {
      if (!groupPattern.test(group)) problems.push(`@breakGlass: "${group}" is not a valid group name`);
    }
  }
  const reviewText = annotations['breakGlassReview'];
  if (reviewText !== undefined && breakGlassText === undefined) problems.push('@breakGlassReview only applies with @breakGlass("group[,group...]")');
  if (reviewText !== undefined && !positiveInteger.test(reviewText)) {
    problems.push(`@breakGlassReview must be a positive whole number of seconds, got "${reviewText}"`);
  }

  const channelsText = annotations['channels'];
  const channels = (channelsText ?? '').split(',').map((channel) => channel.trim());
  if (channelsText !== undefined) {
    for (const channel of channels) {
      const match = channelPattern.exec(channel);
      if (!match || !isChannelKind(match[1]!)) {
        problems.push(`@channels: "${channel}" must be <kind>:<target> with kind ${approvalChannelKinds.join(', ')} (e.g. "slack:#data-approvals")`);
      }
    }
  }

  const escalateText = annotations['escalate'];
  const escalation = (escalateText ?? '').split(',').map((entry) => {
    const match = /^\s*([1-9][0-9]{0,8})\s*:\s*([^\s,]+)\s*$/.exec(entry);
    return match ? { afterSeconds: Number(match[1]), group: match[2]! } : undefined;
  });
  if (escalateText !== undefined) {
    const ttl = ttlText === undefined ? DEFAULT_APPROVAL_TTL_SECONDS : Number(ttlText);
    escalation.forEach((step, index) => {
      if (!step) problems.push(`@escalate: entry ${index + 1} must be <seconds>:<group>, e.g. "900:data-leads"`);
      else if (!groupPattern.test(step.group)) problems.push(`@escalate: "${step.group}" is not a valid group name`);
      else if (step.afterSeconds >= ttl) problems.push(`@escalate: ${step.afterSeconds} s is not before the request expires (@ttl ${ttl} s)`);
    });
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
    ...(channelsText !== undefined ? { channels: [...new Set(channels)] } : {}),
    ...(escalateText !== undefined
      ? { escalation: (escalation as { afterSeconds: number; group: string }[]).sort((a, b) => a.afterSeconds - b.afterSeconds) }
      : {}),
    ...(standingText !== undefined ? { standing: { maxSeconds: Number(standingText) } } : {}),
    ...(breakGlassText !== undefined
      ? {
          breakGlass: {
            groups: [...new Set(breakGlassGroups)],
            reviewWithinSeconds: reviewText === undefined ? DEFAULT_BREAK_GLASS_REVIEW_SECONDS : Number(reviewText),
          },
        }
      : {}),
  };
  return { annotations: { id, reason, approval }, problems };
}

/**
 * Combines the requirements of several matching approval policies into the strictest one:
 * every group of every policy (at the highest quorum asked for it), the shortest TTL, and
 * deny-ends-request when any policy asks for it; delivered to every channel any of them names.
 * Standing approvals and break-glass are
 * exceptions to asking, so they survive only when every matching policy offers them: the
 * shortest standing time, and only the break-glass groups they all name, reviewed soonest.
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
    ...unitedChannels(requirements),
    ...strictestExceptions(requirements),
  };
}

function unitedChannels(requirements: readonly ApprovalRequirement[]): Pick<ApprovalRequirement, 'channels'> {
  const channels = [...new Set(requirements.flatMap((requirement) => requirement.channels ?? []))];
  return channels.length > 0 ? { channels } : {};
}

function strictestExceptions(requirements: readonly ApprovalRequirement[]): Pick<ApprovalRequirement, 'standing' | 'breakGlass' | 'escalation'> {
  const standing = requirements.map((requirement) => requirement.standing);
  const breakGlass = requirements.map((requirement) => requirement.breakGlass);
  const result: Pick<ApprovalRequirement, 'standing' | 'breakGlass' | 'escalation'> = {};
  // Escalation widens who may approve, so it survives only as far as every matching policy agrees:
  // the groups they all escalate to, at the latest time any of them says.
  const escalations = requirements.map((requirement) => requirement.escalation);
  if (escalations.every((steps) => steps !== undefined && steps.length > 0)) {
    const [first, ...rest] = escalations.map((steps) => steps!);
    const agreed = first!
      .filter((step) => rest.every((steps) => steps.some((other) => other.group === step.group)))
      .map((step) => ({ group: step.group, afterSeconds: Math.max(step.afterSeconds, ...rest.map((steps) => steps.find((other) => other.group === step.group)!.afterSeconds)) }))
      .sort((a, b) => a.afterSeconds - b.afterSeconds);
    if (agreed.length > 0) result.escalation = agreed;
  }
  if (standing.every((allowance) => allowance !== undefined)) {
    result.standing = { maxSeconds: Math.min(...standing.map((allowance) => allowance!.maxSeconds)) };
  }
  if (breakGlass.every((offer) => offer !== undefined)) {
    const [first, ...rest] = breakGlass.map((offer) => offer!);
    const groups = first!.groups.filter((group) => rest.every((offer) => offer.groups.includes(group)));
    if (groups.length > 0) {
      result.breakGlass = { groups, reviewWithinSeconds: Math.min(first!.reviewWithinSeconds, ...rest.map((offer) => offer.reviewWithinSeconds)) };
    }
  }
  return result;
}

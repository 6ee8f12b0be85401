import type { ApprovalRequirement } from './approval.events';
import type { DomainError } from '../errors';

/** An approver whose vote may count, with the required groups they belong to (the slots they may fill). */
export interface QuorumCandidate {
  approverId: string;
  groups: readonly string[];
}

/** The groups a requirement names, in step order, each once. */
export const requiredGroups = (requirement: ApprovalRequirement): string[] => [
  ...new Set(requirement.steps.map((step) => step.group)),
];

/** Why a requirement cannot be used, or undefined when it is well formed. */
export function validateRequirement(requirement: ApprovalRequirement): DomainError | undefined {
  const invalid = (message: string): DomainError => ({ code: 'INVALID_ARGUMENT', message });
  if (!Array.isArray(requirement.steps) || requirement.steps.length === 0) {
    return invalid('requirement.steps must name at least one approver group');
  }
  for (const [index, step] of requirement.steps.entries()) {
    if (typeof step.group !== 'string' || step.group.trim() === '') {
      return invalid(`requirement.steps[${index}].group must be a non-empty group name`);
    }
    if (!Number.isInteger(step.minApprovals) || step.minApprovals < 1) {
      return invalid(`requirement.steps[${index}].minApprovals must be an integer >= 1, got ${String(step.minApprovals)}`);
    }
  }
  if (typeof requirement.ttlSeconds !== 'number' || !Number.isFinite(requirement.ttlSeconds) || requirement.ttlSeconds <= 0) {
    return invalid(`requirement.ttlSeconds must be a number of seconds > 0, got ${String(requirement.ttlSeconds)}`);
  }
  if (typeof requirement.denyEndsRequest !== 'boolean') {
    return invalid('requirement.denyEndsRequest must be true or false');
  }
  const { standing, breakGlass, channels, escalation } = requirement;
  if (escalation !== undefined) {
    if (!Array.isArray(escalation)) return invalid('requirement.escalation must list steps');
    for (const [index, step] of escalation.entries()) {
      if (!Number.isInteger(step.afterSeconds) || step.afterSeconds < 1 || step.afterSeconds >= requirement.ttlSeconds) {
        return invalid(`requirement.escalation[${index}].afterSeconds must be a whole number of seconds from 1 to below ttlSeconds`);
      }
      if (typeof step.group !== 'string' || step.group.trim() === '') return invalid(`requirement.escalation[${index}].group must name a group`);
    }
  }
  if (channels !== undefined && (!Array.isArray(channels) || channels.some((channel) => typeof channel !== 'string' || !/^[a-z]+:\S+$/.test(channel)))) {
    return invalid('requirement.channels must list <kind>:<target> entries');
  }
  if (standing !== undefined && (!Number.isInteger(standing.maxSeconds) || standing.maxSeconds < 1)) {
    return invalid(`requirement.standing.maxSeconds must be an integer >= 1, got ${String(standing.maxSeconds)}`);
  }
  if (breakGlass !== undefined) {
    if (!Array.isArray(breakGlass.groups) || breakGlass.groups.length === 0 || breakGlass.groups.some((group) => typeof group !== 'string' || group.trim() === '')) {
      return invalid('requirement.breakGlass.groups must name at least one group');
    }
    if (!Number.isInteger(breakGlass.reviewWithinSeconds) || breakGlass.reviewWithinSeconds < 1) {
      return invalid(`requirement.breakGlass.reviewWithinSeconds must be an integer >= 1, got ${String(breakGlass.reviewWithinSeconds)}`);
    }
  }
  return undefined;
}

/**
 * The approvers who together meet every step of `requirement`, in candidate order, or undefined
 * when the candidates cannot meet it yet.
 *
 * Each human fills at most one slot across all steps (I2), so "one from A and one from B" needs two
 * people even when someone is in both groups. A greedy pass gets this wrong (it may spend the only
 * member of B on A), so this is a bipartite matching of people to step slots by augmenting paths;
 * a step's slots are interchangeable, so each step is one vertex with capacity `minApprovals`.
 */
export function findQuorum(requirement: ApprovalRequirement, candidates: readonly QuorumCandidate[]): string[] | undefined {
  const steps = requirement.steps;
  const needed = steps.reduce((sum, step) => sum + step.minApprovals, 0);
  const people = mergeByApprover(candidates);
  if (steps.length === 0 || people.length < needed) return undefined;

  const eligibleSteps = people.map((person) => steps.flatMap((step, index) => (person.groups.has(step.group) ? [index] : [])));
  const holders: number[][] = steps.map(() => []);

  // Kuhn's augmenting path; `visited` holds steps already explored in this attempt.
  const place = (person: number, visited: boolean[]): boolean => {
    for (const index of eligibleSteps[person] ?? []) {
      if (visited[index]) continue;
      visited[index] = true;
      const slots = holders[index] ?? [];
      if (slots.length < (steps[index]?.minApprovals ?? 0)) {
        slots.push(person);
        holders[index] = slots;
        return true;
      }
      for (const [slot, holder] of slots.entries()) {
        if (place(holder, visited)) {
          slots[slot] = person;
          return true;
        }
      }
    }
    return false;
  };

  let matched = 0;
  for (let person = 0; person < people.length && matched < needed; person += 1) {
    if (place(person, steps.map(() => false))) matched += 1;
  }
  if (matched < needed) return undefined;

  const used = new Set(holders.flat());
  return people.flatMap((person, index) => (used.has(index) ? [person.approverId] : []));
}

function mergeByApprover(candidates: readonly QuorumCandidate[]): { approverId: string; groups: Set<string> }[] {
  const byId = new Map<string, Set<string>>();
  for (const candidate of candidates) {
    const groups = byId.get(candidate.approverId) ?? new Set<string>();
    for (const group of candidate.groups) groups.add(group);
    byId.set(candidate.approverId, groups);
  }
  return [...byId].map(([approverId, groups]) => ({ approverId, groups }));
}

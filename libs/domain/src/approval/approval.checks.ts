import { type DomainError, type Result, fail } from '../errors';
import type { ApprovalEvent } from './approval.events';
import type { ExistingActionState, FinalState } from './approval.state';

/** What a command decides: the events to append, or why nothing may change. */
export type Decision = Result<ApprovalEvent[], DomainError>;

/**
 * I1 in one place: why `humanId` is on the requesting side of the action (the agent itself, the
 * human it acts for, or the agent's accountable owner), or undefined when they are not.
 */
export function requesterRole(state: ExistingActionState, humanId: string): string | undefined {
  if (humanId === state.request.agentId) return `${humanId} is the agent that requested this action`;
  if (state.request.onBehalfOf !== undefined && humanId === state.request.onBehalfOf) {
    return `${humanId} is the human this action is requested on behalf of`;
  }
  if (state.agentOwner !== undefined && humanId === state.agentOwner) {
    return `${humanId} is the accountable owner of agent ${state.request.agentId}`;
  }
  return undefined;
}

export function describeOutcome(state: FinalState): string {
  return `${state.outcome.toLowerCase()} (at ${state.decidedAt})`;
}

export function notFound(actionId: string): Decision {
  return fail('NOT_FOUND', `no action ${actionId} has been requested`);
}

export function isNonBlank(value: unknown): value is string {
  return typeof value === 'string' && value.trim() !== '';
}

export function firstBlank(fields: Record<string, unknown>): string | undefined {
  return Object.entries(fields).find(([, value]) => !isNonBlank(value))?.[0];
}

/** Structural equality of JSON values, whatever the order of object keys. */
export function sameJson(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) || Array.isArray(b)) {
    return Array.isArray(a) && Array.isArray(b) && a.length === b.length && a.every((item, index) => sameJson(item, b[index]));
  }
  const left = a as Record<string, unknown>;
  const right = b as Record<string, unknown>;
  const keys = Object.keys(left).filter((key) => left[key] !== undefined);
  return (
    keys.length === Object.keys(right).filter((key) => right[key] !== undefined).length &&
    keys.every((key) => Object.hasOwn(right, key) && sameJson(left[key], right[key]))
  );
}

/** The answer for a state no case handles (the compiler proves there is none). */
export function exhaustive(state: never): Decision {
  return fail('INVALID_STATE', `unknown state ${JSON.stringify(state)}`);
}

import type { FieldViolation } from '@approvals/application';
import { isActionId } from '@approvals/application';
import { invalidArgument } from './grpc-errors';

/** The violation of an `action_id` field, if any; never echoes the value, which may be huge. */
export function actionIdViolation(actionId: string | undefined): FieldViolation | undefined {
  const id = actionId?.trim() ?? '';
  if (isActionId(id)) return undefined;
  return { field: 'action_id', description: id ? 'must be an action id (a lower-case UUID)' : 'is required' };
}

/** The trimmed `action_id` of a request, or INVALID_ARGUMENT naming the field. */
export function requireActionId(actionId: string | undefined): string {
  const violation = actionIdViolation(actionId);
  if (violation) throw invalidArgument([violation]);
  return (actionId ?? '').trim();
}

/**
 * One violation per field whose text is longer than its limit (in characters), so values that
 * would be echoed in a message or used as a filter stay small.
 */
export function lengthViolations(fields: Record<string, { value: string | undefined; max: number }>): FieldViolation[] {
  return Object.entries(fields)
    .filter(([, { value, max }]) => (value?.length ?? 0) > max)
    .map(([field, { max }]) => ({ field, description: `must be at most ${max} characters` }));
}

/** Throws INVALID_ARGUMENT listing the violations found, if any (undefined entries are skipped). */
export function throwIfAny(violations: (FieldViolation | undefined)[]): void {
  const found = violations.filter((v): v is FieldViolation => v !== undefined);
  if (found.length > 0) throw invalidArgument(found);
}

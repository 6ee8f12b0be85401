import type { z } from 'zod';
import { checkRequest, requestRules } from '@approvals/application';
import { invalidArgument } from './grpc-errors';

/** A request's fields checked by their rules (`requestRules`), normalised; or INVALID_ARGUMENT naming every bad field. */
export function validRequest<S extends z.ZodType>(schema: S, fields: z.input<S>): z.output<S> {
  const checked = checkRequest(schema, fields);
  if (!checked.ok) throw invalidArgument(checked.violations);
  return checked.value;
}

/** The trimmed `action_id` of a request, or INVALID_ARGUMENT naming the field. */
export function requireActionId(actionId: string | undefined): string {
  return validRequest(requestRules.action, { action_id: actionId ?? '' }).action_id;
}

import type { Approvals } from '../approvals';
import type { GuardOptions, GuardOutcome } from '../guard';
import type { ActionRequest, Resource } from '../types';

/** A value given once, or computed from the tool call's arguments. */
export type FromArgs<Args, T> = T | ((args: Args) => T);

/**
 * How a framework's tool call becomes a ledger request: what the action is, on what, where, and
 * why. The call's arguments are the request's parameters, and what runs after approval is
 * exactly the approved arguments.
 */
export interface ToolApproval<Args = Record<string, unknown>> {
  /** e.g. "db.export". */
  action: FromArgs<Args, string>;
  resource: FromArgs<Args, Resource>;
  environment: FromArgs<Args, string>;
  /** The model driving the agent (default "unknown"). */
  model?: string | undefined;
  /** Why (default: "tool call <name>"). Approvers read it. */
  justification?: FromArgs<Args, string> | undefined;
  onBehalfOf?: FromArgs<Args, string | undefined> | undefined;
  dataClassification?: FromArgs<Args, string | undefined> | undefined;
  runId?: string | undefined;
  /** Passed to `guard`: progress, a time limit, offline grant checks. */
  guard?: Omit<GuardOptions, 'signal'> | undefined;
}

const value = <Args, T>(given: FromArgs<Args, T>, args: Args): T => (typeof given === 'function' ? (given as (args: Args) => T)(args) : given);

/** The ledger request for one tool call. */
export function toolRequest<Args extends object>(approval: ToolApproval<Args>, toolName: string, args: Args): ActionRequest {
  return {
    model: approval.model ?? 'unknown',
    action: value(approval.action, args),
    resource: value(approval.resource, args),
    environment: value(approval.environment, args),
    justification: approval.justification === undefined ? `tool call ${toolName}` : value(approval.justification, args),
    onBehalfOf: approval.onBehalfOf === undefined ? undefined : value(approval.onBehalfOf, args),
    dataClassification: approval.dataClassification === undefined ? undefined : value(approval.dataClassification, args),
    runId: approval.runId,
    parameters: args as Record<string, unknown>,
  };
}

/**
 * Runs one tool call through `guard`: `run` gets the approved arguments after the grant was
 * redeemed. Every other ending is a sentence for the model (the tool did not run, and why), so
 * the agent can tell its user or try something else.
 */
export async function guardedCall<Args extends object, T>(
  approvals: Approvals,
  approval: ToolApproval<Args>,
  toolName: string,
  args: Args,
  run: (approvedArgs: Args) => Promise<T> | T,
  signal?: AbortSignal,
): Promise<{ ran: true; value: T } | { ran: false; message: string; outcome: Exclude<GuardOutcome<T>, { outcome: 'executed' }> }> {
  const outcome = await approvals.guard(toolRequest(approval, toolName, args), (approved) => run(approved.parameters as Args), { ...approval.guard, signal });
  if (outcome.outcome === 'executed') return { ran: true, value: outcome.value };
  return { ran: false, message: refusal(toolName, outcome), outcome };
}

/** What the model is told when the tool did not run. */
export function refusal(toolName: string, outcome: Exclude<GuardOutcome<unknown>, { outcome: 'executed' }>): string {
  const id = outcome.action.actionId;
  switch (outcome.outcome) {
    case 'denied':
      return `The tool ${toolName} was not run: ${outcome.deniedBy === 'policy' ? 'the policy denied it' : 'an approver denied it'} (${outcome.reasons.join('; ')}). Action ${id}.`;
    case 'expired':
      return `The tool ${toolName} was not run: nobody approved it in time. Action ${id}.`;
    case 'cancelled':
      return `The tool ${toolName} was not run: the request was cancelled. Action ${id}.`;
    case 'grant-refused':
      return `The tool ${toolName} was approved but not run: its execution grant was refused (${outcome.reason}). Action ${id}.`;
  }
}

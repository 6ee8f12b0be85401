import { fail } from '../errors';
import { parseInstant } from '../instant';
import { invokeBreakGlass, reviewBreakGlass } from './approval.break-glass';
import type { Decision } from './approval.checks';
import type { ApprovalCommand } from './approval.commands';
import { recordEvaluation } from './approval.evaluation';
import { escalateApproval, expireApproval, expireUnevaluated } from './approval.expiry';
import { issueGrant, recordForgedGrant, redeemGrant, reportExecution } from './approval.grant';
import { recordNotification } from './approval.notification';
import { cancelAction, requestAction } from './approval.request';
import { revokeStanding } from './approval.standing';
import type { ApprovalState } from './approval.state';
import { castVote } from './approval.vote';

/** Decides which events a command produces in the given state; pure, so any replay decides alike. */
export function decide(command: ApprovalCommand, state: ApprovalState): Decision {
  if (parseInstant(command.meta.now) === undefined) {
    return fail(
      'INVALID_ARGUMENT',
      `meta.now must be an ISO 8601 instant with an offset (e.g. 2025-01-01T00:00:00Z), got "${String(command.meta.now)}"`,
    );
  }
  if (state.status !== 'none' && command.data.actionId !== state.actionId) {
    return fail('INVALID_ARGUMENT', `command for action "${command.data.actionId}" was applied to the stream of action "${state.actionId}"`);
  }
  switch (command.type) {
    case 'RequestAction':
      return requestAction(command, state);
    case 'RecordEvaluation':
      return recordEvaluation(command, state);
    case 'CastVote':
      return castVote(command, state);
    case 'ExpireApproval':
      return expireApproval(command, state);
    case 'EscalateApproval':
      return escalateApproval(command, state);
    case 'ExpireUnevaluated':
      return expireUnevaluated(command, state);
    case 'CancelAction':
      return cancelAction(command, state);
    case 'IssueGrant':
      return issueGrant(command, state);
    case 'RecordNotification':
      return recordNotification(command, state);
    case 'ReportExecution':
      return reportExecution(command, state);
    case 'RevokeStandingApproval':
      return revokeStanding(command, state);
    case 'InvokeBreakGlass':
      return invokeBreakGlass(command, state);
    case 'ReviewBreakGlass':
      return reviewBreakGlass(command, state);
    case 'RedeemGrant':
      return redeemGrant(command, state);
    case 'RecordForgedGrant':
      return recordForgedGrant(command, state);
    default: {
      const unknown: never = command;
      return fail('INVALID_ARGUMENT', `unknown command type "${String((unknown as { type?: unknown }).type)}"`);
    }
  }
}

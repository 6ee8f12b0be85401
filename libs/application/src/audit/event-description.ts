import { approvalReason, type ApprovalEvent, type ApprovalRequirement } from '@approvals/domain';
import { toDomainEventOrSkip } from '../ledger/approval-stream';
import type { EventMetadata } from '../ports/event-store.port';

/** What replaces a secret in the read model. */
export const REDACTED = '[redacted]';

// Keys whose values are credentials wherever they appear (compared in lower case). The grant's
// `token` is the one the ledger carries today; the others guard against parameters an agent sends.
const secretKeys = new Set(['token', 'accesstoken', 'refreshtoken', 'idtoken', 'secret', 'clientsecret', 'password', 'apikey', 'privatekey', 'authorization']);

/** A deep copy of `value` with every secret-named field replaced by {@link REDACTED}. */
export function redactSecrets(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(redactSecrets);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.entries(value).map(([key, inner]) => [key, secretKeys.has(key.toLowerCase()) ? REDACTED : redactSecrets(inner)]),
  );
}

/** "agent:agent-reporting", "approver:alice via cli", "service:decision"; '' when unknown. */
export function describeActor(actor: EventMetadata['actor']): string {
  if (!actor || typeof actor.id !== 'string') return '';
  switch (actor.kind) {
    case 'agent':
      return `agent:${actor.id}`;
    case 'approver':
      return actor.channel ? `approver:${actor.id} via ${actor.channel}` : `approver:${actor.id}`;
    case 'service':
      return `service:${actor.id}`;
    default: {
      const _unknown: never = actor.kind;
      return String(actor.id);
    }
  }
}

const traceparentPattern = /^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})(-.*)?$/;

/** The trace id of a W3C `traceparent` (00-<trace-id>-<span-id>-<flags>); '' when absent or invalid. */
export function traceIdOf(traceparent: unknown): string {
  if (typeof traceparent !== 'string') return '';
  const match = traceparentPattern.exec(traceparent.trim());
  if (!match) return '';
  const [, version, traceId, spanId] = match;
  if (version === 'ff' || (version === '00' && match[5] !== undefined)) return '';
  if (/^0+$/.test(traceId!) || /^0+$/.test(spanId!)) return '';
  return traceId!;
}

/**
 * One readable line per event, starting with its type, e.g. "VoteCast: alice approved via cli";
 * just the type for an event outside the catalogue or whose data does not match it.
 */
export function summarizeEvent(event: { type: string; data: unknown }): string {
  const parsed = toDomainEventOrSkip(event);
  return parsed ? summarizeApprovalEvent(parsed) : event.type;
}

export const summarizeApprovalEvent = (event: ApprovalEvent): string => `${event.type}: ${describe(event)}`;

function describe(event: ApprovalEvent): string {
  switch (event.type) {
    case 'ActionRequested': {
      const { request } = event.data;
      const onBehalf = request.onBehalfOf ? ` on behalf of ${request.onBehalfOf}` : '';
      return `${request.agentId} (${request.model})${onBehalf} requests ${request.action} on ${request.resource.kind}:${request.resource.id} in ${request.environment}`;
    }
    case 'PolicyEvaluated': {
      const { outcome, determiningPolicies, policyVersion, reasons } = event.data;
      const by = determiningPolicies.length > 0 ? determiningPolicies.join(', ') : 'no determining policy';
      return `${outcome} by ${by} (policy ${policyVersion})${reasons.length > 0 ? `: ${reasons.join('; ')}` : ''}`;
    }
    case 'ApprovalRequested':
      return `${describeRequirement(event.data.requirement)}, expires ${event.data.expiresAt}`;
    case 'ApprovalNotified':
      return `sent to ${event.data.target} via ${event.data.channel}`;
    case 'ApprovalNotificationFailed':
      return `delivery via ${event.data.channel} failed (retrying): ${event.data.error}`;
    case 'ApprovalEscalated':
      return `nobody decided within ${event.data.afterSeconds} s: ${event.data.group} may now approve too`;
    case 'VoteCast': {
      const { approverId, decision, channel, comment } = event.data;
      return `${approverId} ${decision === 'APPROVE' ? 'approved' : 'denied'} via ${channel}${comment ? `: ${comment}` : ''}`;
    }
    case 'VoteRejected': {
      const { approverId, reason, decision, channel, detail } = event.data;
      return `${approverId} (${reason}) tried to ${decision === 'APPROVE' ? 'approve' : 'deny'} via ${channel}${detail ? `: ${detail}` : ''}`;
    }
    case 'ActionApproved':
      return approvalReason(event.data);
    case 'ActionDenied': {
      const by = event.data.by === 'POLICY' ? 'policy' : (event.data.deniedBy ?? 'an approver');
      return `denied by ${by}: ${event.data.reason}`;
    }
    case 'ActionExpired':
      return `no decision before ${event.data.expiresAt}`;
    case 'ActionCancelled':
      return `cancelled by ${event.data.cancelledBy}: ${event.data.reason}`;
    case 'ExecutionGrantIssued':
      return `grant ${event.data.grantId} for ${event.data.agentId}, valid until ${event.data.expiresAt}`;
    case 'ExecutionReported':
      return `${event.data.status} with grant ${event.data.grantId}${event.data.detail ? `: ${event.data.detail}` : ''}`;
    case 'ExecutionGrantRedeemed':
      return `grant ${event.data.grantId} redeemed by ${event.data.redeemedBy}`;
    case 'GrantRedemptionRejected':
      return `${event.data.presentedBy} presented grant ${event.data.grantId} (${event.data.reason}): ${event.data.detail}`;
    case 'ExecutionGrantRevoked':
      return `grant ${event.data.grantId} revoked by ${event.data.revokedBy}: ${event.data.reason}`;
    case 'StandingApprovalGranted': {
      const { approvers, scope, runId, expiresAt } = event.data;
      const covers = scope === 'RUN' ? `identical requests in run ${runId ?? '?'}` : 'identical requests';
      return `${approvers.map((a) => a.approverId).join(', ')} approved ${covers} until ${expiresAt}`;
    }
    case 'StandingApprovalRevoked':
      return `revoked by ${event.data.revokedBy} via ${event.data.channel}: ${event.data.reason}`;
    case 'BreakGlassInvoked': {
      const { invokedBy, channel, justification, reviewGroups, reviewDueAt, invokedByRequester } = event.data;
      const requester = invokedByRequester ? ' (on the requesting side)' : '';
      return `${invokedBy}${requester} broke the glass via ${channel}: ${justification}; review by ${reviewGroups.join(' or ')} due ${reviewDueAt}`;
    }
    case 'BreakGlassRejected': {
      const { attemptedBy, attempt, reason, channel, detail } = event.data;
      return `${attemptedBy} (${reason}) tried to ${attempt === 'INVOKE' ? 'break the glass' : 'review the break-glass'} via ${channel}: ${detail}`;
    }
    case 'BreakGlassNotified':
      return `break-glass notice sent to ${event.data.recipient} via ${event.data.channel}`;
    case 'BreakGlassReviewed':
      return `${event.data.reviewedBy} found it ${event.data.verdict.toLowerCase()} via ${event.data.channel}: ${event.data.comment}`;
    default: {
      const _unknown: never = event;
      return '';
    }
  }
}

function describeRequirement(requirement: ApprovalRequirement): string {
  const steps = requirement.steps.map((step) => `${step.minApprovals} from ${step.group}`);
  return `needs ${steps.length > 0 ? steps.join(' and ') : 'no approvals'}`;
}

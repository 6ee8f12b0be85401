import { approvalReason, fromActionStreamId, parseInstant, type ApprovalEvent } from '@approvals/domain';
import type { RecordedEvent } from '../ports/event-store.port';
import type { ActionChange } from './action-record';
import { toDomainEventOrSkip } from '../ledger/approval-stream';
import { describeActor, redactSecrets, summarizeApprovalEvent, traceIdOf } from './event-description';
import type { ProjectedEvent, TimelineRecord } from './read-model-store.port';

/**
 * Turns one ledger event into its timeline entry and the change to its action. Pure, so a
 * rebuild from position 0 produces the same read model. Undefined for events outside action streams.
 */
export function projectEvent(event: RecordedEvent): ProjectedEvent | undefined {
  const actionId = fromActionStreamId(event.streamId);
  if (actionId === undefined) return undefined;
  // An event outside the catalogue, or whose data does not match it, still gets its entry (its
  // data as recorded) but changes nothing.
  const parsed = toDomainEventOrSkip(event);
  const entry: TimelineRecord = {
    actionId,
    position: event.position,
    revision: event.revision,
    eventId: event.eventId,
    type: event.type,
    occurredAt: typeof event.metadata.occurredAt === 'string' ? event.metadata.occurredAt : '',
    actor: describeActor(event.metadata.actor),
    summary: parsed ? summarizeApprovalEvent(parsed) : event.type,
    dataJson: JSON.stringify(redactSecrets(event.data) ?? null),
    traceId: traceIdOf(event.metadata.traceparent),
    hash: event.hash,
    prevHash: event.metadata.prevHash ?? '',
  };
  return { position: event.position, entry, change: parsed ? actionChangeOf(actionId, parsed, event) : undefined };
}

function actionChangeOf(actionId: string, event: ApprovalEvent, recorded: RecordedEvent): ActionChange | undefined {
  switch (event.type) {
    case 'ActionRequested': {
      const { request, requestedAt } = event.data;
      return {
        actionId,
        requested: {
          actionId,
          status: 'PENDING_POLICY',
          agentId: request.agentId,
          onBehalfOf: request.onBehalfOf ?? '',
          action: request.action,
          resourceKind: request.resource.kind,
          resourceId: request.resource.id,
          environment: request.environment,
          requestedAt,
          requestedAtMs: parseInstant(requestedAt) ?? parseInstant(recorded.metadata.occurredAt) ?? 0,
          decidedAt: '',
          approvedBy: [],
          voters: [],
          policyVersion: '',
          reason: '',
        },
      };
    }
    case 'PolicyEvaluated':
      return { actionId, policyVersion: event.data.policyVersion, reason: event.data.reasons.join('; ') };
    case 'ApprovalRequested':
      return { actionId, status: 'AWAITING_APPROVAL' };
    case 'VoteCast':
    case 'VoteRejected':
      return { actionId, voter: event.data.approverId };
    case 'ActionApproved': {
      const { approvedBy, approvedAt } = event.data;
      return { actionId, status: 'APPROVED', decidedAt: approvedAt, approvedBy, reason: approvalReason(event.data) };
    }
    case 'ActionDenied':
      return { actionId, status: 'DENIED', decidedAt: event.data.deniedAt, reason: event.data.reason };
    case 'ActionExpired':
      return { actionId, status: 'EXPIRED', decidedAt: event.data.expiredAt, reason: `no decision before ${event.data.expiresAt}` };
    case 'ActionCancelled':
      return { actionId, status: 'CANCELLED', decidedAt: event.data.cancelledAt, reason: event.data.reason };
    case 'ApprovalNotified':
    case 'ExecutionGrantIssued':
    case 'ExecutionReported':
    case 'ApprovalEscalated':
    case 'ApprovalNotificationFailed':
    case 'ExecutionGrantRedeemed':
    case 'GrantRedemptionRejected':
    case 'ExecutionGrantRevoked':
    case 'StandingApprovalGranted':
    case 'StandingApprovalRevoked':
    case 'BreakGlassInvoked':
    case 'BreakGlassNotified':
    case 'BreakGlassReviewed':
      return undefined;
    case 'BreakGlassRejected':
      return { actionId, voter: event.data.attemptedBy };
    default: {
      const _unknown: never = event;
      return undefined;
    }
  }
}

import type { Metadata } from '@grpc/grpc-js';
import { Controller, Inject, UseFilters, UseInterceptors } from '@nestjs/common';
import { GrpcMethod } from '@nestjs/microservices';
import type {
  BreakGlassResponse__Output,
  CastVoteRequest__Output,
  CastVoteResponse__Output,
  CommandReply,
  InvokeBreakGlassRequest__Output,
  ListPendingRequest__Output,
  ListPendingResponse__Output,
  ReviewBreakGlassRequest__Output,
  RevokeStandingApprovalRequest__Output,
  RevokeStandingApprovalResponse__Output,
} from '@approvals/contracts';
import { NotifierService, apiErrorOf } from '@approvals/application';
import type { FieldViolation } from '@approvals/application';
import type { GrpcAuthenticator, GrpcPeer } from '@approvals/nest-platform';
import { AUTHENTICATOR, GrpcExceptionFilter, RefuseMalformedText, actionIdViolation, rpcErrorOf, throwIfAny, traceFrom } from '@approvals/nest-platform';

const commentLimit = 2000;
/** The longest standing approval anyone may ask for, whatever a policy says: 30 days. */
const standingSecondsLimit = 30 * 24 * 3600;

/** A required free-text field: trimmed, present and at most `commentLimit` characters. */
function textViolation(field: string, value: string | undefined, missing: string): FieldViolation | undefined {
  const text = value?.trim() ?? '';
  if (!text) return { field, description: missing };
  if (text.length > commentLimit) return { field, description: `must be at most ${commentLimit} characters` };
  return undefined;
}

/** A command that failed: the status its domain error code maps to, with its message. */
function throwFailed(reply: CommandReply): asserts reply is Extract<CommandReply, { ok: true }> {
  if (reply.ok) return;
  throw rpcErrorOf(apiErrorOf(reply));
}

type Status = CastVoteResponse__Output['status'];

/** An authenticated person acting on one action through this API. */
const act = (actionId: string, humanId: string, metadata: Metadata) => ({ actionId: actionId.trim(), humanId, channel: 'api', ...traceFrom(metadata) });

/** approvals.v1.DecisionService: the API/CLI channel for approvers. */
@Controller()
@UseFilters(GrpcExceptionFilter)
@UseInterceptors(RefuseMalformedText)
export class DecisionsGrpcController {
  constructor(
    @Inject(NotifierService) private readonly notifier: NotifierService,
    @Inject(AUTHENTICATOR) private readonly auth: GrpcAuthenticator,
  ) {}

  @GrpcMethod('DecisionService', 'CastVote')
  async castVote(request: CastVoteRequest__Output, metadata: Metadata, call?: GrpcPeer): Promise<CastVoteResponse__Output> {
    const approverId = await this.auth.human(metadata, 'cast votes', call);
    const violations: (FieldViolation | undefined)[] = [actionIdViolation(request.actionId)];
    if (request.decision !== 'APPROVE' && request.decision !== 'DENY') {
      violations.push({ field: 'decision', description: 'must be APPROVE or DENY' });
    }
    const comment = request.comment?.trim() ?? '';
    if (request.decision === 'DENY' && !comment) {
      violations.push({ field: 'comment', description: 'a reason is required when denying' });
    } else if (comment.length > commentLimit) {
      violations.push({ field: 'comment', description: `must be at most ${commentLimit} characters` });
    }
    const standing = request.standing;
    if (standing && (standing.seconds > 0 || standing.thisRunOnly)) {
      if (request.decision !== 'APPROVE') violations.push({ field: 'standing', description: 'only an APPROVE vote can grant a standing approval' });
      if (!Number.isInteger(standing.seconds) || standing.seconds < 1 || standing.seconds > standingSecondsLimit) {
        violations.push({ field: 'standing.seconds', description: `must be between 1 and ${standingSecondsLimit} seconds` });
      }
    }
    throwIfAny(violations);
    const reply = await this.notifier.castVote({
      actionId: request.actionId.trim(),
      approverId,
      channel: 'api',
      decision: request.decision as 'APPROVE' | 'DENY',
      comment: comment || undefined,
      ...(standing && standing.seconds > 0 ? { standing: { scope: standing.thisRunOnly ? 'RUN' : 'DURATION', seconds: standing.seconds } } : {}),
      ...traceFrom(metadata),
    });
    return judgedResponse(reply);
  }

  @GrpcMethod('DecisionService', 'RevokeStandingApproval')
  async revokeStandingApproval(request: RevokeStandingApprovalRequest__Output, metadata: Metadata, call?: GrpcPeer): Promise<RevokeStandingApprovalResponse__Output> {
    const humanId = await this.auth.human(metadata, 'revoke standing approvals', call);
    throwIfAny([actionIdViolation(request.actionId), textViolation('reason', request.reason, 'is required: say why it is revoked')]);
    const reply = await this.notifier.revokeStandingApproval({ ...act(request.actionId, humanId, metadata), reason: request.reason.trim() });
    throwFailed(reply);
    return { status: reply.status as Status };
  }

  @GrpcMethod('DecisionService', 'InvokeBreakGlass')
  async invokeBreakGlass(request: InvokeBreakGlassRequest__Output, metadata: Metadata, call?: GrpcPeer): Promise<BreakGlassResponse__Output> {
    const humanId = await this.auth.human(metadata, 'break the glass', call);
    throwIfAny([actionIdViolation(request.actionId), textViolation('justification', request.justification, 'is required: say why this cannot wait')]);
    const reply = await this.notifier.invokeBreakGlass({ ...act(request.actionId, humanId, metadata), justification: request.justification.trim() });
    return judgedResponse(reply);
  }

  @GrpcMethod('DecisionService', 'ReviewBreakGlass')
  async reviewBreakGlass(request: ReviewBreakGlassRequest__Output, metadata: Metadata, call?: GrpcPeer): Promise<BreakGlassResponse__Output> {
    const humanId = await this.auth.human(metadata, 'review break-glass approvals', call);
    const verdict = request.verdict === 'JUSTIFIED' || request.verdict === 'UNJUSTIFIED' ? request.verdict : undefined;
    throwIfAny([
      actionIdViolation(request.actionId),
      verdict ? undefined : { field: 'verdict', description: 'must be JUSTIFIED or UNJUSTIFIED' },
      textViolation('comment', request.comment, 'is required: record what the review found'),
    ]);
    const reply = await this.notifier.reviewBreakGlass({ ...act(request.actionId, humanId, metadata), verdict: verdict!, comment: request.comment.trim() });
    return judgedResponse(reply);
  }

  @GrpcMethod('DecisionService', 'ListPending')
  async listPending(request: ListPendingRequest__Output, metadata: Metadata, call?: GrpcPeer): Promise<ListPendingResponse__Output> {
    const approverId = await this.auth.human(metadata, 'list pending approvals', call);
    const limit = request.limit > 0 ? Math.min(request.limit, 500) : 100;
    const items = await this.notifier.listPending(limit, request.onlyMine ? approverId : undefined);
    return {
      items: items.map((item) => ({
        actionId: item.actionId,
        agentId: item.agentId,
        onBehalfOf: item.onBehalfOf ?? '',
        action: item.action,
        resource: item.resource,
        environment: item.environment,
        justification: item.justification,
        steps: item.steps.map((s) => ({ group: s.group, minApprovals: s.minApprovals })),
        approvedBy: item.approvedBy,
        requestedAt: item.requestedAt,
        expiresAt: item.expiresAt,
        reasons: item.reasons,
        kind: item.kind ?? 'APPROVAL',
        invokedBy: item.breakGlass?.invokedBy ?? '',
        breakGlassJustification: item.breakGlass?.justification ?? '',
      })),
    };
  }
}

/** A vote, break-glass or review as answered: accepted, or refused (and recorded) with the reason. */
function judgedResponse(reply: CommandReply): BreakGlassResponse__Output & CastVoteResponse__Output {
  throwFailed(reply);
  return {
    accepted: !reply.rejection,
    rejectionReason: reply.rejection?.reason ?? '',
    detail: reply.rejection?.detail ?? '',
    status: reply.status as Status,
  };
}

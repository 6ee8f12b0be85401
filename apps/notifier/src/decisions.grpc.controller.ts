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
import { NotifierService, apiErrorOf, requestRules } from '@approvals/application';
import type { GrpcAuthenticator, GrpcPeer } from '@approvals/nest-platform';
import { AUTHENTICATOR, GrpcExceptionFilter, RefuseMalformedText, rpcErrorOf, traceFrom, validRequest } from '@approvals/nest-platform';

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
    const standing = request.standing;
    const asked = standing && (standing.seconds > 0 || standing.thisRunOnly) ? { seconds: standing.seconds, thisRunOnly: standing.thisRunOnly } : undefined;
    const checked = validRequest(requestRules.castVote, { action_id: request.actionId ?? '', decision: request.decision ?? '', comment: request.comment ?? '', standing: asked });
    const reply = await this.notifier.castVote({
      actionId: checked.action_id,
      approverId,
      channel: 'api',
      decision: checked.decision as 'APPROVE' | 'DENY',
      comment: checked.comment || undefined,
      ...(asked ? { standing: { scope: asked.thisRunOnly ? 'RUN' : 'DURATION', seconds: asked.seconds } } : {}),
      ...traceFrom(metadata),
    });
    return judgedResponse(reply);
  }

  @GrpcMethod('DecisionService', 'RevokeStandingApproval')
  async revokeStandingApproval(request: RevokeStandingApprovalRequest__Output, metadata: Metadata, call?: GrpcPeer): Promise<RevokeStandingApprovalResponse__Output> {
    const humanId = await this.auth.human(metadata, 'revoke standing approvals', call);
    const checked = validRequest(requestRules.revokeStandingApproval, { action_id: request.actionId ?? '', reason: request.reason ?? '' });
    const reply = await this.notifier.revokeStandingApproval({ ...act(checked.action_id, humanId, metadata), reason: checked.reason });
    throwFailed(reply);
    return { status: reply.status as Status };
  }

  @GrpcMethod('DecisionService', 'InvokeBreakGlass')
  async invokeBreakGlass(request: InvokeBreakGlassRequest__Output, metadata: Metadata, call?: GrpcPeer): Promise<BreakGlassResponse__Output> {
    const humanId = await this.auth.human(metadata, 'break the glass', call);
    const checked = validRequest(requestRules.invokeBreakGlass, { action_id: request.actionId ?? '', justification: request.justification ?? '' });
    const reply = await this.notifier.invokeBreakGlass({ ...act(checked.action_id, humanId, metadata), justification: checked.justification });
    return judgedResponse(reply);
  }

  @GrpcMethod('DecisionService', 'ReviewBreakGlass')
  async reviewBreakGlass(request: ReviewBreakGlassRequest__Output, metadata: Metadata, call?: GrpcPeer): Promise<BreakGlassResponse__Output> {
    const humanId = await this.auth.human(metadata, 'review break-glass approvals', call);
    const checked = validRequest(requestRules.reviewBreakGlass, { action_id: request.actionId ?? '', verdict: request.verdict ?? '', comment: request.comment ?? '' });
    const reply = await this.notifier.reviewBreakGlass({ ...act(checked.action_id, humanId, metadata), verdict: checked.verdict, comment: checked.comment });
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

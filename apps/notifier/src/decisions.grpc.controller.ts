import type { Metadata } from '@grpc/grpc-js';
import { Controller, Inject, UseFilters } from '@nestjs/common';
import { GrpcMethod } from '@nestjs/microservices';
import type {
  CastVoteRequest__Output,
  CastVoteResponse__Output,
  ListPendingRequest__Output,
  ListPendingResponse__Output,
} from '@approvals/contracts';
import type { Directory } from '@approvals/application';
import { NotifierService } from '@approvals/application';
import type { FieldViolation } from '@approvals/nest-platform';
import { DIRECTORY, GrpcExceptionFilter, actionIdViolation, authenticateApprover, grpcError, throwIfAny, traceFrom } from '@approvals/nest-platform';

const commentLimit = 2000;

/** approvals.v1.DecisionService: the API/CLI channel for approvers. */
@Controller()
@UseFilters(GrpcExceptionFilter)
export class DecisionsGrpcController {
  constructor(
    @Inject(NotifierService) private readonly notifier: NotifierService,
    @Inject(DIRECTORY) private readonly directory: Directory,
  ) {}

  @GrpcMethod('DecisionService', 'CastVote')
  async castVote(request: CastVoteRequest__Output, metadata: Metadata): Promise<CastVoteResponse__Output> {
    const approverId = authenticateApprover(metadata, this.directory, 'cast votes');
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
    throwIfAny(violations);
    const reply = await this.notifier.castVote({
      actionId: request.actionId.trim(),
      approverId,
      channel: 'api',
      decision: request.decision as 'APPROVE' | 'DENY',
      comment: comment || undefined,
      ...traceFrom(metadata),
    });
    if (!reply.ok) {
      throw grpcError(reply.code === 'NOT_FOUND' ? 'NOT_FOUND' : reply.code === 'CONFLICT' ? 'ABORTED' : 'FAILED_PRECONDITION', reply.message);
    }
    return {
      accepted: !reply.rejection,
      rejectionReason: reply.rejection?.reason ?? '',
      detail: reply.rejection?.detail ?? '',
      status: reply.status as CastVoteResponse__Output['status'],
    };
  }

  @GrpcMethod('DecisionService', 'ListPending')
  async listPending(request: ListPendingRequest__Output, metadata: Metadata): Promise<ListPendingResponse__Output> {
    const approverId = authenticateApprover(metadata, this.directory, 'list pending approvals');
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
      })),
    };
  }
}

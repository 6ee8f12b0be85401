import type { Metadata } from '@grpc/grpc-js';
import { Controller, Inject, UseFilters } from '@nestjs/common';
import { GrpcMethod } from '@nestjs/microservices';
import type { GetTimelineRequest__Output, SearchActionsRequest__Output, SearchActionsResponse__Output, Timeline__Output } from '@approvals/contracts';
import type { Directory } from '@approvals/application';
import { AuditQueries } from '@approvals/application';
import { DIRECTORY, GrpcExceptionFilter, authenticateApprover, grpcError } from '@approvals/nest-platform';

/** approvals.v1.AuditService: the auditors' questions, answered from the read model. */
@Controller()
@UseFilters(GrpcExceptionFilter)
export class AuditGrpcController {
  constructor(
    @Inject(AuditQueries) private readonly queries: AuditQueries,
    @Inject(DIRECTORY) private readonly directory: Directory,
  ) {}

  @GrpcMethod('AuditService', 'GetTimeline')
  async getTimeline(request: GetTimelineRequest__Output, metadata: Metadata): Promise<Timeline__Output> {
    authenticateApprover(metadata, this.directory);
    const result = await this.queries.getTimeline(request.actionId);
    if (!result.ok) throw grpcError(result.error.code, result.error.message);
    return result.value;
  }

  @GrpcMethod('AuditService', 'SearchActions')
  async searchActions(request: SearchActionsRequest__Output, metadata: Metadata): Promise<SearchActionsResponse__Output> {
    authenticateApprover(metadata, this.directory);
    const result = await this.queries.searchActions(request);
    if (!result.ok) throw grpcError(result.error.code, result.error.message);
    return result.value;
  }
}

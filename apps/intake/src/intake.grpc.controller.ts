import type { Metadata, ServerWritableStream } from '@grpc/grpc-js';
import { Controller, Inject, UseFilters, UseInterceptors } from '@nestjs/common';
import { GrpcMethod } from '@nestjs/microservices';
import type {
  ActionView__Output,
  AwaitDecisionRequest__Output,
  AwaitDecisionResponse__Output,
  CancelActionRequest__Output,
  GetActionRequest__Output,
  RedeemGrantRequest__Output,
  RedeemGrantResponse__Output,
  ReportExecutionRequest__Output,
  RequestActionRequest__Output,
  RequestActionResponse__Output,
  WatchActionRequest__Output,
} from '@approvals/contracts';
import type { ApiResult } from '@approvals/application';
import { IntakeService, requestRules } from '@approvals/application';
import type { AppConfig } from '@approvals/config';
import {
  CONFIG,
  AUTHENTICATOR,
  GrpcExceptionFilter,
  RefuseMalformedText,
  rpcErrorOf,
  requireActionId,
  validRequest,
  traceFrom,
} from '@approvals/nest-platform';
import type { GrpcAuthenticator, GrpcPeer } from '@approvals/nest-platform';
import { Observable } from 'rxjs';

function unwrap<T>(result: ApiResult<T>): T {
  if (result.ok) return result.value;
  throw rpcErrorOf(result.error);
}

/** approvals.v1.IntakeService: where agents ask before a privileged action. */
@Controller()
@UseFilters(GrpcExceptionFilter)
@UseInterceptors(RefuseMalformedText)
export class IntakeGrpcController {
  constructor(
    @Inject(IntakeService) private readonly intake: IntakeService,
    @Inject(AUTHENTICATOR) private readonly auth: GrpcAuthenticator,
    @Inject(CONFIG) private readonly config: AppConfig,
  ) {}

  @GrpcMethod('IntakeService', 'RequestAction')
  async requestAction(request: RequestActionRequest__Output, metadata: Metadata, call?: GrpcPeer): Promise<RequestActionResponse__Output> {
    const agentId = await this.auth.agent(metadata, call);
    const result = unwrap(await this.intake.requestAction(agentId, request, traceFrom(metadata)));
    return { actionId: result.actionId, status: result.status as RequestActionResponse__Output['status'], created: result.created };
  }

  @GrpcMethod('IntakeService', 'GetAction')
  async getAction(request: GetActionRequest__Output, metadata: Metadata, call?: GrpcPeer): Promise<ActionView__Output> {
    const agentId = await this.auth.agent(metadata, call);
    return unwrap(await this.intake.getAction(agentId, requireActionId(request.actionId)));
  }

  @GrpcMethod('IntakeService', 'WatchAction')
  watchAction(request: WatchActionRequest__Output, metadata: Metadata, call: ServerWritableStream<unknown, unknown>): Observable<ActionView__Output> {
    return new Observable<ActionView__Output>((subscriber) => {
      const controller = new AbortController();
      call?.on?.('cancelled', () => controller.abort());
      // Credentials are checked first, then the id; either refusal ends the stream with its status.
      this.auth
        .agent(metadata, call)
        .then((agentId) => this.intake.watch(agentId, requireActionId(request.actionId), (view) => subscriber.next(view), controller.signal))
        .then((result) => {
          if (result.ok) subscriber.complete();
          // The RpcException itself: GrpcExceptionFilter turns anything else into INTERNAL.
          else subscriber.error(rpcErrorOf(result.error));
        })
        .catch((error: unknown) => subscriber.error(error));
      return () => controller.abort();
    });
  }

  @GrpcMethod('IntakeService', 'AwaitDecision')
  async awaitDecision(request: AwaitDecisionRequest__Output, metadata: Metadata, call?: GrpcPeer): Promise<AwaitDecisionResponse__Output> {
    const agentId = await this.auth.agent(metadata, call);
    const actionId = requireActionId(request.actionId);
    const timeoutMs = Math.min(request.timeoutMs > 0 ? request.timeoutMs : this.config.awaitDefaultMs, this.config.awaitMaxMs);
    return unwrap(await this.intake.awaitDecision(agentId, actionId, timeoutMs));
  }

  @GrpcMethod('IntakeService', 'CancelAction')
  async cancelAction(request: CancelActionRequest__Output, metadata: Metadata, call?: GrpcPeer): Promise<ActionView__Output> {
    const agentId = await this.auth.agent(metadata, call);
    const checked = validRequest(requestRules.cancelAction, { action_id: request.actionId ?? '', reason: request.reason ?? '' });
    return unwrap(await this.intake.cancel(agentId, checked.action_id, checked.reason, traceFrom(metadata)));
  }

  @GrpcMethod('IntakeService', 'ReportExecution')
  async reportExecution(request: ReportExecutionRequest__Output, metadata: Metadata, call?: GrpcPeer): Promise<ActionView__Output> {
    const agentId = await this.auth.agent(metadata, call);
    const checked = validRequest(requestRules.reportExecution, {
      action_id: request.actionId ?? '',
      grant_id: request.grantId ?? '',
      status: request.status ?? '',
      detail: request.detail ?? '',
    });
    return unwrap(
      await this.intake.reportExecution(agentId, { actionId: checked.action_id, grantId: checked.grant_id, status: checked.status, detail: checked.detail }, traceFrom(metadata)),
    );
  }

  @GrpcMethod('IntakeService', 'RedeemGrant')
  async redeemGrant(request: RedeemGrantRequest__Output, metadata: Metadata, call?: GrpcPeer): Promise<RedeemGrantResponse__Output> {
    const agentId = await this.auth.agent(metadata, call);
    const checked = validRequest(requestRules.redeemGrant, { token: request.token ?? '', request_hash: request.requestHash ?? '' });
    return unwrap(await this.intake.redeemGrant(agentId, { token: checked.token, requestHash: checked.request_hash }, traceFrom(metadata)));
  }
}

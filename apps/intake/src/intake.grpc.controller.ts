import type { Metadata, ServerWritableStream } from '@grpc/grpc-js';
import { Controller, Inject, UseFilters } from '@nestjs/common';
import { GrpcMethod } from '@nestjs/microservices';
import type {
  ActionView__Output,
  AwaitDecisionRequest__Output,
  AwaitDecisionResponse__Output,
  CancelActionRequest__Output,
  GetActionRequest__Output,
  ReportExecutionRequest__Output,
  RequestActionRequest__Output,
  RequestActionResponse__Output,
  WatchActionRequest__Output,
} from '@approvals/contracts';
import type { Directory, IntakeError, IntakeResult } from '@approvals/application';
import { IntakeService } from '@approvals/application';
import type { AppConfig } from '@approvals/platform';
import { CONFIG, DIRECTORY, GrpcExceptionFilter, authenticateAgent, grpcError, traceFrom } from '@approvals/nest-platform';
import { Observable } from 'rxjs';

const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

function unwrap<T>(result: IntakeResult<T>): T {
  if (result.ok) return result.value;
  const error: IntakeError = result.error;
  throw grpcError(error.code, error.message, error.code === 'INVALID_ARGUMENT' ? error.violations : []);
}

function requireActionId(actionId: string | undefined): string {
  const id = actionId?.trim() ?? '';
  if (!uuidPattern.test(id)) {
    const description = id ? 'must be an action id (a lower-case UUID)' : 'is required';
    throw grpcError('INVALID_ARGUMENT', `action_id: ${description}`, [{ field: 'action_id', description }]);
  }
  return id;
}

/** approvals.v1.IntakeService: where agents ask before a privileged action. */
@Controller()
@UseFilters(GrpcExceptionFilter)
export class IntakeGrpcController {
  constructor(
    @Inject(IntakeService) private readonly intake: IntakeService,
    @Inject(DIRECTORY) private readonly directory: Directory,
    @Inject(CONFIG) private readonly config: AppConfig,
  ) {}

  @GrpcMethod('IntakeService', 'RequestAction')
  async requestAction(request: RequestActionRequest__Output, metadata: Metadata): Promise<RequestActionResponse__Output> {
    const agentId = authenticateAgent(metadata, this.directory);
    const result = unwrap(await this.intake.requestAction(agentId, request, traceFrom(metadata)));
    return { actionId: result.actionId, status: result.status as RequestActionResponse__Output['status'], created: result.created };
  }

  @GrpcMethod('IntakeService', 'GetAction')
  async getAction(request: GetActionRequest__Output, metadata: Metadata): Promise<ActionView__Output> {
    const agentId = authenticateAgent(metadata, this.directory);
    return unwrap(await this.intake.getAction(agentId, requireActionId(request.actionId)));
  }

  @GrpcMethod('IntakeService', 'WatchAction')
  watchAction(request: WatchActionRequest__Output, metadata: Metadata, call: ServerWritableStream<unknown, unknown>): Observable<ActionView__Output> {
    const agentId = authenticateAgent(metadata, this.directory);
    const actionId = requireActionId(request.actionId);
    return new Observable<ActionView__Output>((subscriber) => {
      const controller = new AbortController();
      call?.on?.('cancelled', () => controller.abort());
      this.intake
        .watch(agentId, actionId, (view) => subscriber.next(view), controller.signal)
        .then((result) => {
          if (result.ok) subscriber.complete();
          else subscriber.error(grpcError(result.error.code, result.error.message).getError());
        })
        .catch((error: unknown) => subscriber.error(error));
      return () => controller.abort();
    });
  }

  @GrpcMethod('IntakeService', 'AwaitDecision')
  async awaitDecision(request: AwaitDecisionRequest__Output, metadata: Metadata): Promise<AwaitDecisionResponse__Output> {
    const agentId = authenticateAgent(metadata, this.directory);
    const actionId = requireActionId(request.actionId);
    const timeoutMs = Math.min(request.timeoutMs > 0 ? request.timeoutMs : this.config.awaitDefaultMs, this.config.awaitMaxMs);
    return unwrap(await this.intake.awaitDecision(agentId, actionId, timeoutMs));
  }

  @GrpcMethod('IntakeService', 'CancelAction')
  async cancelAction(request: CancelActionRequest__Output, metadata: Metadata): Promise<ActionView__Output> {
    const agentId = authenticateAgent(metadata, this.directory);
    const reason = request.reason?.trim() ?? '';
    if (reason.length > 2000) throw grpcError('INVALID_ARGUMENT', 'reason: must be at most 2000 characters', [{ field: 'reason', description: 'must be at most 2000 characters' }]);
    return unwrap(await this.intake.cancel(agentId, requireActionId(request.actionId), reason, traceFrom(metadata)));
  }

  @GrpcMethod('IntakeService', 'ReportExecution')
  async reportExecution(request: ReportExecutionRequest__Output, metadata: Metadata): Promise<ActionView__Output> {
    const agentId = authenticateAgent(metadata, this.directory);
    const actionId = requireActionId(request.actionId);
    const violations = [];
    if (!request.grantId?.trim()) violations.push({ field: 'grant_id', description: 'is required' });
    if (request.status !== 'SUCCEEDED' && request.status !== 'FAILED') violations.push({ field: 'status', description: 'must be SUCCEEDED or FAILED' });
    if ((request.detail?.length ?? 0) > 4096) violations.push({ field: 'detail', description: 'must be at most 4096 characters' });
    if (violations.length > 0) throw grpcError('INVALID_ARGUMENT', violations.map((v) => `${v.field}: ${v.description}`).join('; '), violations);
    return unwrap(
      await this.intake.reportExecution(
        agentId,
        { actionId, grantId: request.grantId.trim(), status: request.status as 'SUCCEEDED' | 'FAILED', detail: request.detail ?? '' },
        traceFrom(metadata),
      ),
    );
  }
}

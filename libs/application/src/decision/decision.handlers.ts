import type {
  CancelActionCommandMessage,
  CastVoteCommandMessage,
  CommandReply,
  MessageMetadata,
  PolicyEvaluatedMessage,
  RecordNotificationCommandMessage,
  ReportExecutionCommandMessage,
  RequestActionCommandMessage,
} from '@approvals/contracts';
import type { ActionRequest, DomainError, Result, VoteRejected } from '@approvals/domain';
import { actionStatusOf } from '../action-status';
import type { CommandContext, Decided, DecisionService } from './decision.service';

const context = (actor: CommandContext['actor'], metadata: MessageMetadata): CommandContext => ({
  actor,
  correlationId: metadata.correlationId,
  causationId: metadata.messageId,
  traceparent: metadata.traceparent,
  tracestate: metadata.tracestate,
});

function reply(result: Result<Decided, DomainError>, extra: Partial<Extract<CommandReply, { ok: true }>> = {}): CommandReply {
  if (!result.ok) return { ok: false, code: result.error.code, message: result.error.message };
  return { ok: true, actionId: result.value.actionId, status: actionStatusOf(result.value.state), ...extra };
}

/** Bus-facing command handlers of the decision service; transports call these unchanged. */
export class DecisionHandlers {
  constructor(private readonly decisions: DecisionService) {}

  async requestAction(message: RequestActionCommandMessage): Promise<CommandReply> {
    const { actionId, request, requestHash, agentOwner } = message.data;
    const result = await this.decisions.execute(
      actionId,
      (now) => ({ type: 'RequestAction', data: { actionId, request: request as ActionRequest, requestHash, agentOwner }, meta: { now } }),
      context({ kind: 'agent', id: request.agentId, model: request.model, onBehalfOf: request.onBehalfOf }, message.metadata),
    );
    return reply(result, { created: result.ok && result.value.appended.length > 0 });
  }

  async recordEvaluation(message: PolicyEvaluatedMessage): Promise<CommandReply> {
    const { actionId, outcome, policyVersion, determiningPolicies, reasons, requirement } = message.data;
    const result = await this.decisions.execute(
      actionId,
      (now) => ({
        type: 'RecordEvaluation',
        data: { actionId, outcome, policyVersion, determiningPolicies, reasons, requirement },
        meta: { now },
      }),
      context({ kind: 'service', id: 'policy-evaluator' }, message.metadata),
    );
    return reply(result);
  }

  async castVote(message: CastVoteCommandMessage): Promise<CommandReply> {
    const { actionId, approverId, channel, decision, comment } = message.data;
    const groups = this.decisions.approverGroups(approverId);
    const result = await this.decisions.execute(
      actionId,
      (now) => ({
        type: 'CastVote',
        data: { actionId, approver: { id: approverId, groups, channel }, decision, comment },
        meta: { now },
      }),
      context({ kind: 'approver', id: approverId, channel }, message.metadata),
    );
    const rejected = result.ok
      ? (result.value.appended.find((e) => e.type === 'VoteRejected') as VoteRejected | undefined)
      : undefined;
    return reply(result, rejected ? { rejection: { reason: rejected.data.reason, detail: rejected.data.detail } } : {});
  }

  async cancelAction(message: CancelActionCommandMessage): Promise<CommandReply> {
    const { actionId, agentId, reason } = message.data;
    const result = await this.decisions.execute(
      actionId,
      (now) => ({ type: 'CancelAction', data: { actionId, cancelledBy: agentId, reason }, meta: { now } }),
      context({ kind: 'agent', id: agentId }, message.metadata),
    );
    return reply(result);
  }

  async reportExecution(message: ReportExecutionCommandMessage): Promise<CommandReply> {
    const { actionId, agentId, grantId, status, detail } = message.data;
    const result = await this.decisions.execute(
      actionId,
      (now) => ({ type: 'ReportExecution', data: { actionId, agentId, grantId, status, detail }, meta: { now } }),
      context({ kind: 'agent', id: agentId }, message.metadata),
    );
    return reply(result);
  }

  async recordNotification(message: RecordNotificationCommandMessage): Promise<CommandReply> {
    const { actionId, channel, target } = message.data;
    const result = await this.decisions.execute(
      actionId,
      (now) => ({ type: 'RecordNotification', data: { actionId, channel, target }, meta: { now } }),
      context({ kind: 'service', id: 'notifier' }, message.metadata),
    );
    return reply(result);
  }

  /** Gives up on an evaluation that never came: the action expires, it is never allowed. */
  async expireUnevaluated(actionId: string, reason: string): Promise<void> {
    const result = await this.decisions.execute(
      actionId,
      (now) => ({ type: 'ExpireUnevaluated', data: { actionId, reason }, meta: { now } }),
      { actor: { kind: 'service', id: 'decision' }, correlationId: actionId },
    );
    if (!result.ok && result.error.code !== 'NOT_FOUND') throw new Error(`expiry of ${actionId}: ${result.error.message}`);
  }

  async expire(actionId: string): Promise<void> {
    const result = await this.decisions.execute(
      actionId,
      (now) => ({ type: 'ExpireApproval', data: { actionId }, meta: { now } }),
      { actor: { kind: 'service', id: 'decision' }, correlationId: actionId },
    );
    if (!result.ok && result.error.code !== 'NOT_FOUND') throw new Error(`expiry of ${actionId}: ${result.error.message}`);
  }
}

import type {
  CancelActionCommandMessage,
  CastVoteCommandMessage,
  CommandReply,
  EscalateApprovalCommandMessage,
  InvokeBreakGlassCommandMessage,
  MessageMetadata,
  PolicyEvaluatedMessage,
  RecordNotificationCommandMessage,
  ReportExecutionCommandMessage,
  RedeemGrantCommandMessage,
  RequestActionCommandMessage,
  ReviewBreakGlassCommandMessage,
  RevokeStandingApprovalCommandMessage,
} from '@approvals/contracts';
import { Commands, commandMessageSchemas, parseMessage, type CommandMessageOf, type CommandName } from '@approvals/contracts';
import type { ApprovalCommand, ApprovalEvent, Approver, DomainError, Result } from '@approvals/domain';
import { actionStatusOf } from '../action-status';
import { canonicalJson, sha256Hex } from '../ledger/event-hash';
import type { ZodType } from 'zod';
import type { GrantVerifier } from '../ports/grant-issuer.port';
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

/** A reply that also says why the attempt was refused, when the ledger recorded a refusal (a rejected vote or break-glass). */
function replyWithRejection(result: Result<Decided, DomainError>): CommandReply {
  const refusal = result.ok ? result.value.appended.find(isRefusal) : undefined;
  return reply(result, refusal ? { rejection: { reason: refusal.data.reason, detail: refusal.data.detail } } : {});
}

const isRefusal = (event: ApprovalEvent): event is Extract<ApprovalEvent, { type: 'VoteRejected' | 'BreakGlassRejected' | 'GrantRedemptionRejected' }> =>
  event.type === 'VoteRejected' || event.type === 'BreakGlassRejected' || event.type === 'GrantRedemptionRejected';

/** Bus-facing command handlers of the decision service; transports call these unchanged. */
export class DecisionHandlers {
  constructor(
    private readonly decisions: DecisionService,
    /** Checks presented grants; without one, redemption is refused (services that issue no grants). */
    private readonly grants?: GrantVerifier,
  ) {}

  /** Each command's handler: a new command fails to compile until it has one. */
  private readonly commandHandlers: { readonly [C in CommandName]: (message: CommandMessageOf<C>) => Promise<CommandReply> } = {
    [Commands.requestAction]: (message) => this.requestAction(message),
    [Commands.castVote]: (message) => this.castVote(message),
    [Commands.cancelAction]: (message) => this.cancelAction(message),
    [Commands.reportExecution]: (message) => this.reportExecution(message),
    [Commands.recordNotification]: (message) => this.recordNotification(message),
    [Commands.revokeStandingApproval]: (message) => this.revokeStandingApproval(message),
    [Commands.invokeBreakGlass]: (message) => this.invokeBreakGlass(message),
    [Commands.reviewBreakGlass]: (message) => this.reviewBreakGlass(message),
    [Commands.redeemGrant]: (message) => this.redeemGrant(message),
    [Commands.escalateApproval]: (message) => this.escalateApproval(message),
  };

  /** A command as the bus carries it, checked against its schema first (InvalidMessageError names the bad field). */
  async handle<C extends CommandName>(command: C, payload: unknown): Promise<CommandReply> {
    const schema: ZodType<unknown> = commandMessageSchemas[command];
    // The schema and the handler were both chosen by `command`; TypeScript cannot correlate them.
    const message = parseMessage(schema, payload, command) as CommandMessageOf<C>;
    const handler = this.commandHandlers[command] as (message: CommandMessageOf<C>) => Promise<CommandReply>;
    return handler(message);
  }

  /** Decides one command on an action and answers as the bus protocol wants. */
  private async run(
    actionId: string,
    actor: CommandContext['actor'],
    metadata: MessageMetadata,
    command: (now: string) => ApprovalCommand,
    answer: (result: Result<Decided, DomainError>) => CommandReply = (result) => reply(result),
  ): Promise<CommandReply> {
    return answer(await this.decisions.execute(actionId, command, context(actor, metadata)));
  }

  /**
   * An agent presents a grant to run its action (I5). A grant whose signature does not verify is
   * refused, and recorded if it names an action of the presenting agent; an authentic one is judged
   * by the domain (single use, its agent, the approved request, not revoked or expired), every
   * refusal recorded.
   */
  async redeemGrant(message: RedeemGrantCommandMessage): Promise<CommandReply> {
    const { agentId, token, requestHash } = message.data;
    const actor = context({ kind: 'agent', id: agentId }, message.metadata);
    if (!this.grants) return { ok: false, code: 'INVALID_STATE', message: 'this service cannot verify grants' };
    const verified = await this.grants.verify(token);
    if (!verified.ok) {
      const { actionId, grantId } = verified.claimed ?? {};
      if (actionId && grantId) {
        await this.decisions.execute(
          actionId,
          (now) => ({ type: 'RecordForgedGrant', data: { actionId, grantId, presentedBy: agentId, detail: verified.detail }, meta: { now } }),
          actor,
        );
      }
      return { ok: false, code: 'PERMISSION_DENIED', message: `the grant is not valid: ${verified.detail}` };
    }
    const { actionId, grantId, requestHash: tokenRequestHash, expired } = verified;
    const result = await this.decisions.execute(
      actionId,
      (now) => ({ type: 'RedeemGrant', data: { actionId, grantId, presentedBy: agentId, requestHash, tokenRequestHash, tokenExpired: expired }, meta: { now } }),
      actor,
    );
    return replyWithRejection(result);
  }

  async requestAction(message: RequestActionCommandMessage): Promise<CommandReply> {
    const { actionId, request, requestHash, agentOwner } = message.data;
    // The hash is what a grant binds: it must be the hash of the very request recorded and shown (I5).
    const recomputed = sha256Hex(canonicalJson(request));
    if (recomputed !== requestHash) {
      return { ok: false, code: 'INVALID_ARGUMENT', message: `the request hash ${requestHash} is not the hash of the request (${recomputed})` };
    }
    const result = await this.decisions.execute(
      actionId,
      (now) => ({ type: 'RequestAction', data: { actionId, request, requestHash, agentOwner }, meta: { now } }),
      context({ kind: 'agent', id: request.agentId, model: request.model, onBehalfOf: request.onBehalfOf }, message.metadata),
    );
    return reply(result, { created: result.ok && result.value.appended.length > 0 });
  }

  async recordEvaluation(message: PolicyEvaluatedMessage): Promise<CommandReply> {
    const { actionId, outcome, policyVersion, determiningPolicies, reasons, requirement, requestHash } = message.data;
    // Only policies that allow standing approvals pay for the lookup.
    const standing = outcome === 'REQUIRE_APPROVAL' && requirement?.standing ? await this.decisions.standingCandidateFor(actionId) : undefined;
    const result = await this.decisions.execute(
      actionId,
      (now) => ({
        type: 'RecordEvaluation',
        data: { actionId, outcome, policyVersion, determiningPolicies, reasons, requirement, requestHash, standing },
        meta: { now },
      }),
      context({ kind: 'service', id: 'policy-evaluator' }, message.metadata),
    );
    return reply(result);
  }

  async castVote(message: CastVoteCommandMessage): Promise<CommandReply> {
    const { actionId, approverId, channel, decision, comment, standing } = message.data;
    const approver = this.approver(approverId, channel);
    return this.run(
      actionId,
      { kind: 'approver', id: approverId, channel },
      message.metadata,
      (now) => ({ type: 'CastVote', data: { actionId, approver, decision, comment, standing }, meta: { now } }),
      replyWithRejection,
    );
  }

  async revokeStandingApproval(message: RevokeStandingApprovalCommandMessage): Promise<CommandReply> {
    const { actionId, humanId, channel, reason } = message.data;
    const revoker = this.approver(humanId, channel);
    return this.run(
      actionId,
      { kind: 'approver', id: humanId, channel },
      message.metadata,
      (now) => ({ type: 'RevokeStandingApproval', data: { actionId, revoker, reason }, meta: { now } }),
    );
  }

  async invokeBreakGlass(message: InvokeBreakGlassCommandMessage): Promise<CommandReply> {
    const { actionId, humanId, channel, justification } = message.data;
    const invoker = this.approver(humanId, channel);
    return this.run(
      actionId,
      { kind: 'approver', id: humanId, channel },
      message.metadata,
      (now) => ({ type: 'InvokeBreakGlass', data: { actionId, invoker, justification }, meta: { now } }),
      replyWithRejection,
    );
  }

  async reviewBreakGlass(message: ReviewBreakGlassCommandMessage): Promise<CommandReply> {
    const { actionId, humanId, channel, verdict, comment } = message.data;
    const reviewer = this.approver(humanId, channel);
    return this.run(
      actionId,
      { kind: 'approver', id: humanId, channel },
      message.metadata,
      (now) => ({ type: 'ReviewBreakGlass', data: { actionId, reviewer, verdict, comment }, meta: { now } }),
      replyWithRejection,
    );
  }

  /** A human as the domain judges them: with the groups the directory gives them now. */
  private approver(id: string, channel: string): Approver {
    return { id, groups: this.decisions.approverGroups(id), channel };
  }

  async cancelAction(message: CancelActionCommandMessage): Promise<CommandReply> {
    const { actionId, agentId, reason } = message.data;
    return this.run(
      actionId,
      { kind: 'agent', id: agentId },
      message.metadata,
      (now) => ({ type: 'CancelAction', data: { actionId, cancelledBy: agentId, reason }, meta: { now } }),
    );
  }

  async reportExecution(message: ReportExecutionCommandMessage): Promise<CommandReply> {
    const { actionId, agentId, grantId, status, detail } = message.data;
    return this.run(
      actionId,
      { kind: 'agent', id: agentId },
      message.metadata,
      (now) => ({ type: 'ReportExecution', data: { actionId, agentId, grantId, status, detail }, meta: { now } }),
    );
  }

  async recordNotification(message: RecordNotificationCommandMessage): Promise<CommandReply> {
    const { actionId, channel, target, purpose, error } = message.data;
    return this.run(
      actionId,
      { kind: 'service', id: 'notifier' },
      message.metadata,
      (now) => ({ type: 'RecordNotification', data: { actionId, channel, target, purpose, error }, meta: { now } }),
    );
  }

  async escalateApproval(message: EscalateApprovalCommandMessage): Promise<CommandReply> {
    const { actionId } = message.data;
    return this.run(
      actionId,
      { kind: 'service', id: 'notifier' },
      message.metadata,
      (now) => ({ type: 'EscalateApproval', data: { actionId }, meta: { now } }),
    );
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

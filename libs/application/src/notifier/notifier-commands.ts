import type { CommandReply, RecordNotificationCommandMessage } from '@approvals/contracts';
import { Commands } from '@approvals/contracts';
import type { StandingRequest } from '@approvals/domain';
import type { Clock, IdGenerator } from '../ports/clock.port';
import type { CommandSender } from '../ports/messaging.port';
import { type TraceContext, traceFields } from '../trace-context';

export interface CastVoteInput extends TraceContext {
  actionId: string;
  approverId: string;
  channel: string;
  decision: 'APPROVE' | 'DENY';
  comment?: string | undefined;
  standing?: StandingRequest | undefined;
}

/** A human acting on one action through a channel (revoke, break-glass, review). */
export interface HumanActInput extends TraceContext {
  actionId: string;
  humanId: string;
  channel: string;
}

/** The commands the notifier sends to the decision service: people's decisions, deliveries, escalations. */
export class NotifierCommands {
  constructor(
    private readonly commands: CommandSender,
    private readonly clock: Clock,
    private readonly ids: IdGenerator,
  ) {}

  castVote(input: CastVoteInput): Promise<CommandReply> {
    return this.commands.send(Commands.castVote, {
      type: 'CastVote',
      data: {
        actionId: input.actionId,
        approverId: input.approverId,
        channel: input.channel,
        decision: input.decision,
        ...(input.comment ? { comment: input.comment } : {}),
        ...(input.standing ? { standing: input.standing } : {}),
      },
      metadata: this.metadata(input.actionId, undefined, input),
    });
  }

  revokeStandingApproval(input: HumanActInput & { reason: string }): Promise<CommandReply> {
    return this.commands.send(Commands.revokeStandingApproval, {
      type: 'RevokeStandingApproval',
      data: { actionId: input.actionId, humanId: input.humanId, channel: input.channel, reason: input.reason },
      metadata: this.metadata(input.actionId, undefined, input),
    });
  }

  invokeBreakGlass(input: HumanActInput & { justification: string }): Promise<CommandReply> {
    return this.commands.send(Commands.invokeBreakGlass, {
      type: 'InvokeBreakGlass',
      data: { actionId: input.actionId, humanId: input.humanId, channel: input.channel, justification: input.justification },
      metadata: this.metadata(input.actionId, undefined, input),
    });
  }

  reviewBreakGlass(input: HumanActInput & { verdict: 'JUSTIFIED' | 'UNJUSTIFIED'; comment: string }): Promise<CommandReply> {
    return this.commands.send(Commands.reviewBreakGlass, {
      type: 'ReviewBreakGlass',
      data: { actionId: input.actionId, humanId: input.humanId, channel: input.channel, verdict: input.verdict, comment: input.comment },
      metadata: this.metadata(input.actionId, undefined, input),
    });
  }

  /** A delivery, or its first failure, for the ledger (ApprovalNotified, BreakGlassNotified, ApprovalNotificationFailed). */
  recordNotification(data: RecordNotificationCommandMessage['data'], causationId?: string, trace: TraceContext = {}): Promise<CommandReply> {
    return this.commands.send(Commands.recordNotification, { type: 'RecordNotification', data, metadata: this.metadata(data.actionId, causationId, trace) });
  }

  /** Asks the decision service to record the escalations that are due. */
  escalate(actionId: string): Promise<CommandReply> {
    return this.commands.send(Commands.escalateApproval, { type: 'EscalateApproval', data: { actionId }, metadata: this.metadata(actionId, undefined, {}) });
  }

  private metadata(actionId: string, causationId: string | undefined, { traceparent, tracestate }: TraceContext) {
    return {
      messageId: this.ids.next(),
      correlationId: actionId,
      occurredAt: this.clock.now().toISOString(),
      ...(causationId ? { causationId } : {}),
      ...traceFields({ traceparent, tracestate }),
    };
  }
}

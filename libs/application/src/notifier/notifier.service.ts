import type { CommandReply, LedgerEventMessage } from '@approvals/contracts';
import { Commands, approvalRequestedDataSchema, parseMessage, voteCastDataSchema } from '@approvals/contracts';
import { finalOutcomeEventTypes } from '@approvals/domain';
import { loadAction } from '../ledger/approval-stream';
import { type TraceContext, traceFields } from '../trace-context';
import type { Clock, IdGenerator } from '../ports/clock.port';
import type { Directory } from '../ports/directory.port';
import type { EventStore } from '../ports/event-store.port';
import type { CommandSender } from '../ports/messaging.port';
import type { NotificationChannel, PendingApproval, PendingApprovalStore } from './pending-approval';


export interface CastVoteInput extends TraceContext {
  actionId: string;
  approverId: string;
  channel: string;
  decision: 'APPROVE' | 'DENY';
  comment?: string | undefined;
}

/**
 * The notifier: tells approvers about approval requests, keeps the pending list they vote from,
 * and turns their decisions into CastVote commands for the decision service.
 */
export class NotifierService {
  constructor(
    private readonly ledger: EventStore,
    private readonly pending: PendingApprovalStore,
    private readonly channels: NotificationChannel[],
    private readonly commands: CommandSender,
    private readonly directory: Directory,
    private readonly clock: Clock,
    private readonly ids: IdGenerator,
  ) {}

  async onLedgerEvent(message: LedgerEventMessage): Promise<void> {
    const actionId = String(message.data['actionId'] ?? '');
    if (!actionId) return;
    if (message.type === 'ApprovalRequested') return this.onApprovalRequested(actionId, message);
    if (message.type === 'VoteCast') {
      const vote = parseMessage(voteCastDataSchema, message.data, 'VoteCast data');
      const item = await this.pending.get(actionId);
      if (!item || item.voters.includes(vote.approverId)) return;
      item.voters.push(vote.approverId);
      if (vote.decision === 'APPROVE') item.approvedBy.push(vote.approverId);
      await this.pending.put(item);
      return;
    }
    // Most actions never wait for humans: a read is much cheaper than a write that finds nothing.
    if (finalOutcomeEventTypes.has(message.type) && (await this.pending.get(actionId))) await this.pending.remove(actionId);
  }

  private async onApprovalRequested(actionId: string, message: LedgerEventMessage): Promise<void> {
    const existing = await this.pending.get(actionId);
    if (existing?.notified) return; // redelivery: never notify twice
    const requested = parseMessage(approvalRequestedDataSchema, message.data, 'ApprovalRequested data');
    const { state } = await loadAction(this.ledger, actionId);
    if (state.status !== 'awaiting_approval') return; // already decided by the time we got here
    const item: PendingApproval = existing ?? {
      actionId,
      agentId: state.request.agentId,
      onBehalfOf: state.request.onBehalfOf,
      agentOwner: state.agentOwner,
      action: state.request.action,
      resource: state.request.resource,
      environment: state.request.environment,
      justification: state.request.justification,
      steps: requested.requirement.steps,
      approvedBy: state.votes.filter((v) => v.decision === 'APPROVE').map((v) => v.approverId),
      voters: state.votes.map((v) => v.approverId),
      reasons: state.evaluation?.reasons ?? [],
      requestedAt: requested.requestedAt,
      expiresAt: requested.expiresAt,
      notified: false,
    };
    await this.pending.put(item);
    for (const channel of this.channels) {
      const { target } = await channel.deliver(item);
      await this.commands.send(Commands.recordNotification, {
        type: 'RecordNotification',
        data: { actionId, channel: channel.name, target },
        metadata: this.metadata(actionId, message.metadata.messageId, message.metadata),
      });
    }
    await this.pending.put({ ...item, notified: true });
  }

  /** The pending list; with `forApprover`, only requests that person may still vote on. */
  async listPending(limit: number, forApprover?: string): Promise<PendingApproval[]> {
    const items = await this.pending.list(forApprover ? 10_000 : limit);
    if (!forApprover) return items;
    const groups = new Set(this.directory.findHuman(forApprover)?.groups ?? []);
    return items
      .filter(
        (item) =>
          item.agentId !== forApprover &&
          item.onBehalfOf !== forApprover &&
          item.agentOwner !== forApprover &&
          !item.voters.includes(forApprover) &&
          item.steps.some((step) => groups.has(step.group)),
      )
      .slice(0, limit);
  }

  async castVote(input: CastVoteInput): Promise<CommandReply> {
    return this.commands.send(Commands.castVote, {
      type: 'CastVote',
      data: {
        actionId: input.actionId,
        approverId: input.approverId,
        channel: input.channel,
        decision: input.decision,
        ...(input.comment ? { comment: input.comment } : {}),
      },
      metadata: this.metadata(input.actionId, undefined, input),
    });
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

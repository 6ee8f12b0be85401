import type { CommandReply, LedgerEventData, LedgerEventMessage, LedgerEventRoutes } from '@approvals/contracts';
import type { ExistingActionState, StandingRequest } from '@approvals/domain';
import { Commands, routeLedgerMessage } from '@approvals/contracts';
import { notificationKey } from '@approvals/domain';
import { loadAction } from '../ledger/approval-stream';
import { type TraceContext, traceFields } from '../trace-context';
import type { Clock, IdGenerator } from '../ports/clock.port';
import type { Directory, Human } from '../ports/directory.port';
import type { EventStore } from '../ports/event-store.port';
import type { CommandSender } from '../ports/messaging.port';
import type { NotificationChannel, PendingApproval, PendingApprovalStore } from './pending-approval';
import { PersonalNotices } from './personal-notices';


export interface CastVoteInput extends TraceContext {
  actionId: string;
  approverId: string;
  channel: string;
  decision: 'APPROVE' | 'DENY';
  comment?: string | undefined;
  standing?: StandingRequest | undefined;
}

export interface NotifierOptions {
  /** A channel failed to deliver or to update; deliveries are retried, updates are not (the next one shows the state). */
  onChannelError?: (error: unknown, context: { channel: string; actionId: string; what: 'delivery' | 'update'; attempts?: number }) => void;
  /** Personal notices beyond the first to one person within this window are sent as one digest (default 60 s). */
  digestWindowMs?: number;
  /** Backoff of delivery retries: base, doubled per attempt, capped (defaults 1 s and 60 s). */
  retryBaseMs?: number;
  retryMaxMs?: number;
}

/** A human acting on one action through a channel (revoke, break-glass, review). */
export interface HumanActInput extends TraceContext {
  actionId: string;
  humanId: string;
  channel: string;
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
    private readonly options: NotifierOptions = {},
  ) {
    this.notices = new PersonalNotices(clock, options.digestWindowMs ?? 60_000, (recipient, lines) => this.digest(recipient, lines));
  }

  private readonly notices: PersonalNotices;

  /** Sends the digests of personal notices whose window has ended (the notifier's clock calls it). */
  flushDigests(): Promise<number> {
    return this.notices.flush();
  }

  private async digest(recipient: Human, lines: string[]): Promise<void> {
    for (const channel of this.channels) {
      try {
        await channel.deliverDigest?.(recipient, lines);
      } catch (error) {
        this.options.onChannelError?.(error, { channel: channel.name, actionId: '', what: 'update' });
      }
    }
  }

  /** One personal notice through every channel that can deliver it, via the digest window. */
  private personal(recipient: Human, line: string, send: (channel: NotificationChannel) => Promise<void> | undefined, actionId: string): Promise<void> {
    return this.notices.notify({
      recipient,
      line,
      send: async () => {
        for (const channel of this.channels) {
          try {
            await send(channel);
          } catch (error) {
            this.options.onChannelError?.(error, { channel: channel.name, actionId, what: 'update' });
          }
        }
      },
    });
  }

  /** What the notifier does with each ledger event; most need nothing from it. */
  private readonly routes: LedgerEventRoutes<Promise<void>, LedgerEventMessage> = {
    ActionRequested: null,
    PolicyEvaluated: null,
    ApprovalRequested: (event, message) => this.onApprovalRequested(event.data, message),
    ApprovalEscalated: (event) => this.onEscalated(event.data),
    ApprovalNotified: null,
    ApprovalNotificationFailed: null,
    VoteCast: (event) => this.onVote(event.data),
    VoteRejected: null,
    ActionApproved: ({ data }) => this.onOutcome(data.actionId, `Approved${data.approvedBy.length ? ` by ${data.approvedBy.join(', ')}` : ''}`),
    ActionDenied: ({ data }) => this.onOutcome(data.actionId, `Denied${data.deniedBy !== undefined ? ` by ${data.deniedBy}` : ''}: ${data.reason}`),
    ActionExpired: ({ data }) => this.onOutcome(data.actionId, 'Expired: nobody decided in time'),
    ActionCancelled: ({ data }) => this.onOutcome(data.actionId, `Cancelled by the agent: ${data.reason}`),
    ExecutionGrantIssued: null,
    ExecutionReported: null,
    ExecutionGrantRedeemed: null,
    GrantRedemptionRejected: null,
    ExecutionGrantRevoked: null,
    StandingApprovalGranted: null,
    StandingApprovalRevoked: null,
    BreakGlassInvoked: (event, message) => this.onBreakGlass(event.data, message),
    BreakGlassRejected: null,
    BreakGlassNotified: null,
    BreakGlassReviewed: (event) => this.pending.remove(event.data.actionId),
    PolicySetActivated: null,
    StandingApprovalIndexed: null,
    ChannelCallbackRejected: null,
    ChannelCallbacksRejected: null,
  };

  async onLedgerEvent(message: LedgerEventMessage): Promise<void> {
    if (message.data['actionId']) await routeLedgerMessage(this.routes, message);
  }

  private async onVote(vote: LedgerEventData<'VoteCast'>): Promise<void> {
    const item = await this.pending.get(vote.actionId);
    if (!item || item.voters.includes(vote.approverId)) return;
    item.voters.push(vote.approverId);
    if (vote.decision === 'APPROVE') item.approvedBy.push(vote.approverId);
    await this.pending.put(item);
    await this.refresh(item);
  }

  /** The action ended: the messages that showed the request say how, and the owner is told. */
  private async onOutcome(actionId: string, outcome: string): Promise<void> {
    const item = await this.pending.get(actionId);
    // A break-glass review outlives the outcome: it waits for its reviewer.
    if (!item || item.kind === 'BREAK_GLASS_REVIEW') return;
    await this.refresh(item, outcome);
    await this.tellOwner(item, outcome);
    await this.pending.remove(actionId);
  }

  /** The agent's accountable owner hears how each of its requests that waited for people ended. */
  private async tellOwner(item: PendingApproval, outcome: string): Promise<void> {
    const owner = item.agentOwner ? this.directory.findHuman(item.agentOwner) : undefined;
    if (!owner) return;
    await this.personal(owner, `${item.agentId}'s ${item.action} on ${item.resource.kind}:${item.resource.id}: ${outcome}`, (channel) => channel.notifyOwner?.(item, owner, outcome), item.actionId);
  }

  /**
   * Reminds the approvers of each request that expires within `beforeSeconds`, once, where it was
   * delivered; each reminder is recorded as a delivery (target `reminder:<target>`).
   */
  async sendReminders(beforeSeconds: number, items?: readonly PendingApproval[]): Promise<number> {
    const now = this.clock.now();
    let reminded = 0;
    for (const item of items ?? (await this.pendingItems())) {
      if (item.kind === 'BREAK_GLASS_REVIEW' || item.remindedAt || !item.notified) continue;
      const expiresAt = Date.parse(item.expiresAt);
      if (!(expiresAt > now.getTime() && expiresAt - now.getTime() <= beforeSeconds * 1000)) continue;
      const fresh = await this.pending.get(item.actionId); // the list may be a moment old
      if (!fresh || fresh.remindedAt) continue;
      fresh.remindedAt = now.toISOString();
      await this.pending.put(fresh);
      for (const channel of this.channels) {
        const delivery = fresh.delivered?.find((entry) => entry.channel === channel.name && entry.target !== '');
        if (!channel.remind || !delivery) continue;
        try {
          await channel.remind(fresh, fresh.messages?.[channel.name] ?? []);
          await this.commands.send(Commands.recordNotification, {
            type: 'RecordNotification',
            data: { actionId: item.actionId, channel: channel.name, target: `reminder:${delivery.target}` },
            metadata: this.metadata(item.actionId, undefined, {}),
          });
        } catch (error) {
          this.options.onChannelError?.(error, { channel: channel.name, actionId: item.actionId, what: 'update' });
        }
      }
      reminded += 1;
    }
    return reminded;
  }

  /** Updates what each channel posted; a channel that fails to update is logged, never fatal (the vote stands). */
  private async refresh(item: PendingApproval, outcome?: string): Promise<void> {
    for (const channel of this.channels) {
      const messages = item.messages?.[channel.name];
      if (!channel.refresh || !messages?.length) continue;
      try {
        await channel.refresh(item, messages, outcome);
      } catch (error) {
        this.options.onChannelError?.(error, { channel: channel.name, actionId: item.actionId, what: 'update' });
      }
    }
  }

  /**
   * The glass was broken: every approver of the review groups is told, personally, on every
   * channel (each delivery recorded), and the review joins their pending list until it is done.
   */
  private async onBreakGlass(invoked: LedgerEventData<'BreakGlassInvoked'>, message: LedgerEventMessage): Promise<void> {
    const { actionId } = invoked;
    const { state } = await loadAction(this.ledger, actionId);
    if (state.status === 'none' || state.breakGlass?.review) return;
    const item: PendingApproval = {
      kind: 'BREAK_GLASS_REVIEW',
      actionId,
      ...requestFacts(state),
      steps: invoked.reviewGroups.map((group) => ({ group, minApprovals: 1 })),
      approvedBy: [invoked.invokedBy],
      voters: [invoked.invokedBy],
      reasons: state.evaluation?.reasons ?? [],
      requestedAt: invoked.invokedAt,
      expiresAt: invoked.reviewDueAt,
      notified: false,
      breakGlass: { invokedBy: invoked.invokedBy, justification: invoked.justification, invokedAt: invoked.invokedAt, reviewDueAt: invoked.reviewDueAt },
    };
    await this.pending.put(item);
    const already = new Set(state.breakGlass?.notified ?? []);
    // Every approver of the review groups; the requesting side is no approver of its own request.
    const requesters = new Set([state.request.agentId, state.request.onBehalfOf, state.agentOwner].filter(Boolean));
    const recipients = new Map(
      invoked.reviewGroups
        .flatMap((group) => this.directory.groupMembers(group))
        .filter((human) => !requesters.has(human.id))
        .map((human) => [human.id, human]),
    );
    for (const recipient of recipients.values()) {
      for (const channel of this.channels) {
        if (already.has(notificationKey(channel.name, recipient.id))) continue; // redelivery: told already
        await channel.deliverBreakGlass(item, recipient);
        await this.commands.send(Commands.recordNotification, {
          type: 'RecordNotification',
          data: { actionId, channel: channel.name, target: recipient.id, purpose: 'BREAK_GLASS' },
          metadata: this.metadata(actionId, message.metadata.messageId, message.metadata),
        });
      }
    }
    await this.pending.put({ ...item, notified: true });
  }

  private async onApprovalRequested(requested: LedgerEventData<'ApprovalRequested'>, message: LedgerEventMessage): Promise<void> {
    const { actionId } = requested;
    const existing = await this.pending.get(actionId);
    if (existing?.notified) return; // redelivery: never notify twice
    const { state } = await loadAction(this.ledger, actionId);
    if (state.status !== 'awaiting_approval') return; // already decided by the time we got here
    const item: PendingApproval = existing ?? {
      actionId,
      ...requestFacts(state),
      steps: requested.requirement.steps,
      ...(requested.requirement.channels ? { channels: requested.requirement.channels } : {}),
      ...(requested.requirement.escalation ? { escalation: requested.requirement.escalation, escalatedGroups: [] } : {}),
      approvedBy: state.votes.filter((v) => v.decision === 'APPROVE').map((v) => v.approverId),
      voters: state.votes.map((v) => v.approverId),
      reasons: state.evaluation?.reasons ?? [],
      policies: state.evaluation?.determiningPolicies ?? [],
      requestedAt: requested.requestedAt,
      expiresAt: requested.expiresAt,
      notified: false,
    };
    await this.pending.put(item);
    for (const channel of this.channels) await this.deliverTo(item, channel, message.metadata.messageId, message.metadata);
    await this.pending.put({ ...item, notified: true });
  }

  /**
   * Delivers to one channel at most once. A channel that already took the request only has its
   * delivery recorded again (the ledger keeps one ApprovalNotified per channel and target), so a
   * redelivered message never posts twice; a channel that fails is retried with backoff by
   * `retryDeliveries`, and the other channels are not held up by it.
   */
  private async deliverTo(item: PendingApproval, channel: NotificationChannel, causationId: string | undefined, trace: TraceContext): Promise<void> {
    let done = item.delivered?.find((delivery) => delivery.channel === channel.name);
    if (!done) {
      try {
        const result = await channel.deliver(item);
        if (!result) {
          // Not for this channel: settled, and nothing to record.
          item.delivered = [...(item.delivered ?? []), { channel: channel.name, target: '' }];
          await this.pending.put(item);
          return;
        }
        const { target, messages } = result;
        done = { channel: channel.name, target };
        if (messages?.length) item.messages = { ...item.messages, [channel.name]: messages };
        item.delivered = [...(item.delivered ?? []), done];
        item.undelivered = item.undelivered?.filter((entry) => entry.channel !== channel.name);
        await this.pending.put(item);
      } catch (error) {
        const attempts = (item.undelivered?.find((entry) => entry.channel === channel.name)?.attempts ?? 0) + 1;
        const delay = Math.min(this.options.retryMaxMs ?? 60_000, (this.options.retryBaseMs ?? 1000) * 2 ** (attempts - 1));
        item.undelivered = [
          ...(item.undelivered ?? []).filter((entry) => entry.channel !== channel.name),
          { channel: channel.name, attempts, nextAttemptAt: new Date(this.clock.now().getTime() + delay).toISOString(), lastError: String((error as Error)?.message ?? error) },
        ];
        await this.pending.put(item);
        this.options.onChannelError?.(error, { channel: channel.name, actionId: item.actionId, what: 'delivery', attempts });
        // The first failure of a channel is recorded for the auditors; the retries are logged.
        if (attempts === 1) {
          await this.commands.send(Commands.recordNotification, {
            type: 'RecordNotification',
            data: { actionId: item.actionId, channel: channel.name, target: channel.name, error: String((error as Error)?.message ?? error).slice(0, 500) },
            metadata: this.metadata(item.actionId, causationId, trace),
          });
        }
        return;
      }
    }
    if (done.target === '') return;
    await this.commands.send(Commands.recordNotification, {
      type: 'RecordNotification',
      data: { actionId: item.actionId, channel: channel.name, target: done.target },
      metadata: this.metadata(item.actionId, causationId, trace),
    });
  }

  /** Asks the decision service to escalate each request whose next fallback group is due (once per group). */
  async sendEscalations(items?: readonly PendingApproval[]): Promise<number> {
    const now = this.clock.now().getTime();
    let asked = 0;
    for (const item of items ?? (await this.pendingItems())) {
      if (item.kind === 'BREAK_GLASS_REVIEW' || !item.escalation?.length) continue;
      const due = item.escalation.filter(
        (step) =>
          Date.parse(item.requestedAt) + step.afterSeconds * 1000 <= now &&
          Date.parse(item.expiresAt) > now &&
          !(item.escalationsRequested ?? []).includes(step.group),
      );
      if (due.length === 0) continue;
      const reply = await this.commands.send(Commands.escalateApproval, {
        type: 'EscalateApproval',
        data: { actionId: item.actionId },
        metadata: this.metadata(item.actionId, undefined, {}),
      });
      if (!reply.ok) continue; // asked again on the next tick
      // Read again: the escalation's own event may have updated the item meanwhile.
      const fresh = await this.pending.get(item.actionId);
      if (fresh) {
        fresh.escalationsRequested = [...new Set([...(fresh.escalationsRequested ?? []), ...due.map((step) => step.group)])];
        await this.pending.put(fresh);
      }
      asked += 1;
    }
    return asked;
  }

  /** A fallback group may now approve: its members see the request and are told, personally. */
  private async onEscalated(escalated: LedgerEventData<'ApprovalEscalated'>): Promise<void> {
    const { actionId } = escalated;
    const item = await this.pending.get(actionId);
    if (!item || item.escalatedGroups?.includes(escalated.group)) return; // decided already, or a redelivery
    item.escalatedGroups = [...(item.escalatedGroups ?? []), escalated.group];
    await this.pending.put(item);
    const requesters = new Set([item.agentId, item.onBehalfOf, item.agentOwner].filter(Boolean));
    for (const recipient of this.directory.groupMembers(escalated.group).filter((human) => !requesters.has(human.id))) {
      await this.personal(
        recipient,
        `waiting for you (escalated to ${escalated.group}): ${item.agentId}'s ${item.action} on ${item.resource.kind}:${item.resource.id}, action ${actionId}`,
        (channel) => channel.notifyEscalation?.(item, recipient, escalated.group),
        actionId,
      );
    }
    await this.refresh(item);
  }

  /** Retries the deliveries that are due; returns how many channels took their request this time. */
  async retryDeliveries(items?: readonly PendingApproval[]): Promise<number> {
    const now = this.clock.now().getTime();
    let delivered = 0;
    for (const item of items ?? (await this.pendingItems())) {
      const due = (item.undelivered ?? []).filter((entry) => Date.parse(entry.nextAttemptAt) <= now);
      for (const entry of due) {
        const channel = this.channels.find((candidate) => candidate.name === entry.channel);
        const fresh = await this.pending.get(item.actionId); // the list may be a moment old
        if (!channel || !fresh) continue;
        await this.deliverTo(fresh, channel, undefined, {});
        if (fresh.delivered?.some((delivery) => delivery.channel === entry.channel)) delivered += 1;
      }
    }
    return delivered;
  }

  /** The pending list; with `forApprover`, only requests that person may still vote on. */
  async listPending(limit: number, forApprover?: string): Promise<PendingApproval[]> {
    const items = await this.pending.list(forApprover ? 10_000 : limit);
    if (!forApprover) return items;
    return items.filter((item) => this.waitsFor(item, forApprover)).slice(0, limit);
  }

  /**
   * Everything pending, for the clock work: read once per tick and handed to `retryDeliveries`,
   * `sendEscalations` and `sendReminders`, which read an item again before they change it.
   */
  pendingItems(): Promise<PendingApproval[]> {
    return this.pending.list(10_000);
  }

  /** One pending item, if it is still pending; with `forApprover`, only if that person may act on it. */
  async pendingItem(actionId: string, forApprover?: string): Promise<PendingApproval | undefined> {
    const item = await this.pending.get(actionId);
    return item && (forApprover === undefined || this.waitsFor(item, forApprover)) ? item : undefined;
  }

  /** Whether `humanId` may still vote on (or review) the item: in its groups, not the requesting side, not voted yet. */
  private waitsFor(item: PendingApproval, humanId: string): boolean {
    const groups = new Set(this.directory.findHuman(humanId)?.groups ?? []);
    return (
      item.agentId !== humanId &&
      item.onBehalfOf !== humanId &&
      item.agentOwner !== humanId &&
      !item.voters.includes(humanId) &&
      (item.steps.some((step) => groups.has(step.group)) || (item.escalatedGroups ?? []).some((group) => groups.has(group)))
    );
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
        ...(input.standing ? { standing: input.standing } : {}),
      },
      metadata: this.metadata(input.actionId, undefined, input),
    });
  }

  async revokeStandingApproval(input: HumanActInput & { reason: string }): Promise<CommandReply> {
    return this.commands.send(Commands.revokeStandingApproval, {
      type: 'RevokeStandingApproval',
      data: { actionId: input.actionId, humanId: input.humanId, channel: input.channel, reason: input.reason },
      metadata: this.metadata(input.actionId, undefined, input),
    });
  }

  async invokeBreakGlass(input: HumanActInput & { justification: string }): Promise<CommandReply> {
    return this.commands.send(Commands.invokeBreakGlass, {
      type: 'InvokeBreakGlass',
      data: { actionId: input.actionId, humanId: input.humanId, channel: input.channel, justification: input.justification },
      metadata: this.metadata(input.actionId, undefined, input),
    });
  }

  async reviewBreakGlass(input: HumanActInput & { verdict: 'JUSTIFIED' | 'UNJUSTIFIED'; comment: string }): Promise<CommandReply> {
    return this.commands.send(Commands.reviewBreakGlass, {
      type: 'ReviewBreakGlass',
      data: { actionId: input.actionId, humanId: input.humanId, channel: input.channel, verdict: input.verdict, comment: input.comment },
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

/** What an approver sees of the request, in every pending item. */
function requestFacts(state: ExistingActionState) {
  const { request } = state;
  return {
    agentId: request.agentId,
    model: request.model,
    onBehalfOf: request.onBehalfOf,
    agentOwner: state.agentOwner,
    action: request.action,
    resource: request.resource,
    environment: request.environment,
    dataClassification: request.dataClassification,
    parameters: request.parameters,
    requestHash: state.requestHash,
    justification: request.justification,
  };
}

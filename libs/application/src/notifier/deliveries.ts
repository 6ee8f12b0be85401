import type { LedgerEventData, LedgerEventMessage } from '@approvals/contracts';
import type { ExistingActionState } from '@approvals/domain';
import { loadAction } from '../ledger/approval-stream';
import type { Clock } from '../ports/clock.port';
import type { EventStore } from '../ports/event-store.port';
import type { TraceContext } from '../trace-context';
import type { Inbox } from './inbox';
import type { NotifierCommands } from './notifier-commands';
import type { NotifierOptions } from './notifier-options';
import type { NotificationChannel, PendingApproval, PendingApprovalStore } from './pending-approval';
import type { PersonalMessages } from './personal-messages';

/**
 * Approval requests on every channel: delivered once each (failures retried with backoff), kept
 * up to date as votes arrive and when the outcome is known, and a reminder before they expire.
 */
export class Deliveries {
  constructor(
    private readonly ledger: EventStore,
    private readonly pending: PendingApprovalStore,
    private readonly channels: readonly NotificationChannel[],
    private readonly clock: Clock,
    private readonly options: NotifierOptions,
    private readonly send: NotifierCommands,
    private readonly inbox: Inbox,
    private readonly personal: PersonalMessages,
  ) {}

  /** An approval was requested: it joins the pending list and goes out on every channel. */
  async requested(requested: LedgerEventData<'ApprovalRequested'>, message: LedgerEventMessage): Promise<void> {
    const { actionId } = requested;
    const existing = await this.pending.get(actionId);
    if (existing?.notified) return; // redelivery: never notify twice
    const { state } = await loadAction(this.ledger, actionId);
    if (state.status !== 'awaiting_approval') return; // already decided by the time we got here
    let item: PendingApproval | undefined = await this.pending.add({
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
    });
    // Decided while it was being added (its outcome handled meanwhile, here or on another replica)?
    // Then the outcome found nothing to remove: this is where it leaves the list.
    if ((await loadAction(this.ledger, actionId)).state.status !== 'awaiting_approval') return this.pending.remove(actionId);
    for (const channel of this.channels) {
      if (!item) return; // decided meanwhile: nothing more to tell
      item = await this.deliverTo(item, channel, message.metadata.messageId, message.metadata);
    }
    await this.pending.update(actionId, (kept) => ({ ...kept, notified: true }));
  }

  /** A vote counted: the messages show it. */
  async vote(vote: LedgerEventData<'VoteCast'>): Promise<void> {
    const item = await this.pending.update(vote.actionId, (kept) =>
      kept.voters.includes(vote.approverId)
        ? undefined
        : { ...kept, voters: [...kept.voters, vote.approverId], approvedBy: vote.decision === 'APPROVE' ? [...kept.approvedBy, vote.approverId] : kept.approvedBy },
    );
    if (item) await this.refresh(item);
  }

  /** The action ended: the messages that showed the request say how, and the owner is told. */
  async outcome(actionId: string, outcome: string): Promise<void> {
    const item = await this.pending.get(actionId);
    // A break-glass review outlives the outcome: it waits for its reviewer.
    if (!item || item.kind === 'BREAK_GLASS_REVIEW') return;
    // Removed first: however the rest goes, a decided action leaves every inbox.
    await this.pending.remove(actionId);
    await this.refresh(item, outcome);
    await this.personal.tellOwner(item, outcome);
  }

  /**
   * Reminds the approvers of each request that expires within `beforeSeconds`, once, where it was
   * delivered; each reminder is recorded as a delivery (target `reminder:<target>`).
   */
  async sendReminders(beforeSeconds: number, items?: readonly PendingApproval[]): Promise<number> {
    const now = this.clock.now();
    const soon = (item: PendingApproval) => {
      const expiresAt = Date.parse(item.expiresAt);
      return item.kind !== 'BREAK_GLASS_REVIEW' && !item.remindedAt && item.notified && expiresAt > now.getTime() && expiresAt - now.getTime() <= beforeSeconds * 1000;
    };
    let reminded = 0;
    for (const item of items ?? (await this.inbox.pendingItems())) {
      if (!soon(item)) continue;
      // Claimed in the shared store first: one replica reminds, once (the list may be a moment old).
      const claimed = await this.pending.update(item.actionId, (kept) => (soon(kept) ? { ...kept, remindedAt: now.toISOString() } : undefined));
      if (!claimed) continue;
      for (const channel of this.channels) {
        const delivery = claimed.delivered?.find((entry) => entry.channel === channel.name && entry.target !== '');
        if (!channel.remind || !delivery) continue;
        try {
          await channel.remind(claimed, claimed.messages?.[channel.name] ?? []);
          await this.send.recordNotification({ actionId: item.actionId, channel: channel.name, target: `reminder:${delivery.target}` });
        } catch (error) {
          this.options.onChannelError?.(error, { channel: channel.name, actionId: item.actionId, what: 'update' });
        }
      }
      reminded += 1;
    }
    return reminded;
  }

  /** Updates what each channel posted; a channel that fails to update is logged, never fatal (the vote stands). */
  async refresh(item: PendingApproval, outcome?: string): Promise<void> {
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

  /** Retries the deliveries that are due; returns how many channels took their request this time. */
  async retryDeliveries(items?: readonly PendingApproval[]): Promise<number> {
    const now = this.clock.now().getTime();
    const isDue = (item: PendingApproval, channel: string) => item.undelivered?.some((entry) => entry.channel === channel && Date.parse(entry.nextAttemptAt) <= now) ?? false;
    let delivered = 0;
    for (const item of items ?? (await this.inbox.pendingItems())) {
      for (const entry of (item.undelivered ?? []).filter((candidate) => isDue(item, candidate.channel))) {
        const channel = this.channels.find((candidate) => candidate.name === entry.channel);
        if (!channel) continue;
        // Claimed for a while first, so no other replica tries the same channel meanwhile.
        const claimed = await this.pending.update(item.actionId, (kept) => {
          if (!isDue(kept, entry.channel)) return undefined;
          const until = new Date(now + RETRY_CLAIM_MS).toISOString();
          return { ...kept, undelivered: kept.undelivered!.map((other) => (other.channel === entry.channel ? { ...other, nextAttemptAt: until } : other)) };
        });
        if (!claimed) continue;
        const after = await this.deliverTo(claimed, channel, undefined, {}, true);
        if (after?.delivered?.some((delivery) => delivery.channel === entry.channel)) delivered += 1;
      }
    }
    return delivered;
  }

  /**
   * Delivers to one channel at most once. A channel that already took the request only has its
   * delivery recorded again (the ledger keeps one ApprovalNotified per channel and target), so a
   * redelivered message never posts twice; a channel that fails is retried with backoff by
   * `retryDeliveries` (and left to it: `retrying` says this is that retry), and the other channels
   * are not held up by it. Returns the item as kept afterwards (undefined once it was removed).
   */
  private async deliverTo(
    item: PendingApproval,
    channel: NotificationChannel,
    causationId: string | undefined,
    trace: TraceContext,
    retrying = false,
  ): Promise<PendingApproval | undefined> {
    const done = item.delivered?.find((delivery) => delivery.channel === channel.name);
    if (done) {
      if (done.target !== '') await this.send.recordNotification({ actionId: item.actionId, channel: channel.name, target: done.target }, causationId, trace);
      return item;
    }
    if (!retrying && item.undelivered?.some((entry) => entry.channel === channel.name)) return item;
    let result: Awaited<ReturnType<NotificationChannel['deliver']>>;
    try {
      result = await channel.deliver(item);
    } catch (error) {
      const message = String((error as Error)?.message ?? error);
      let attempts = 0;
      const kept = await this.pending.update(item.actionId, (current) => {
        attempts = (current.undelivered?.find((entry) => entry.channel === channel.name)?.attempts ?? 0) + 1;
        const delay = Math.min(this.options.retryMaxMs ?? 60_000, (this.options.retryBaseMs ?? 1000) * 2 ** (attempts - 1));
        const nextAttemptAt = new Date(this.clock.now().getTime() + delay).toISOString();
        return {
          ...current,
          undelivered: [...(current.undelivered ?? []).filter((entry) => entry.channel !== channel.name), { channel: channel.name, attempts, nextAttemptAt, lastError: message }],
        };
      });
      this.options.onChannelError?.(error, { channel: channel.name, actionId: item.actionId, what: 'delivery', attempts });
      // The first failure of a channel is recorded for the auditors; the retries are logged.
      if (attempts === 1) {
        await this.send.recordNotification({ actionId: item.actionId, channel: channel.name, target: channel.name, error: message.slice(0, 500) }, causationId, trace);
      }
      return kept;
    }
    // Not for this channel (no result): settled, with nothing to record.
    const delivery = { channel: channel.name, target: result?.target ?? '' };
    const messages = result?.messages;
    const kept = await this.pending.update(item.actionId, (current) => ({
      ...current,
      ...(messages?.length ? { messages: { ...current.messages, [channel.name]: messages } } : {}),
      delivered: [...(current.delivered ?? []).filter((entry) => entry.channel !== channel.name), delivery],
      undelivered: current.undelivered?.filter((entry) => entry.channel !== channel.name),
    }));
    if (delivery.target !== '') await this.send.recordNotification({ actionId: item.actionId, channel: channel.name, target: delivery.target }, causationId, trace);
    return kept;
  }
}

/** How long a replica that took a due retry has it to itself; one that dies leaves it to the next try. */
const RETRY_CLAIM_MS = 60_000;

/** What an approver sees of the request, in every pending item. */
export function requestFacts(state: ExistingActionState) {
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

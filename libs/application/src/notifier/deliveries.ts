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

  /** A vote counted: the messages show it. */
  async vote(vote: LedgerEventData<'VoteCast'>): Promise<void> {
    const item = await this.pending.get(vote.actionId);
    if (!item || item.voters.includes(vote.approverId)) return;
    item.voters.push(vote.approverId);
    if (vote.decision === 'APPROVE') item.approvedBy.push(vote.approverId);
    await this.pending.put(item);
    await this.refresh(item);
  }

  /** The action ended: the messages that showed the request say how, and the owner is told. */
  async outcome(actionId: string, outcome: string): Promise<void> {
    const item = await this.pending.get(actionId);
    // A break-glass review outlives the outcome: it waits for its reviewer.
    if (!item || item.kind === 'BREAK_GLASS_REVIEW') return;
    await this.refresh(item, outcome);
    await this.personal.tellOwner(item, outcome);
    await this.pending.remove(actionId);
  }

  /**
   * Reminds the approvers of each request that expires within `beforeSeconds`, once, where it was
   * delivered; each reminder is recorded as a delivery (target `reminder:<target>`).
   */
  async sendReminders(beforeSeconds: number, items?: readonly PendingApproval[]): Promise<number> {
    const now = this.clock.now();
    let reminded = 0;
    for (const item of items ?? (await this.inbox.pendingItems())) {
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
    let delivered = 0;
    for (const item of items ?? (await this.inbox.pendingItems())) {
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
          await this.send.recordNotification(
            { actionId: item.actionId, channel: channel.name, target: channel.name, error: String((error as Error)?.message ?? error).slice(0, 500) },
            causationId,
            trace,
          );
        }
        return;
      }
    }
    if (done.target === '') return;
    await this.send.recordNotification({ actionId: item.actionId, channel: channel.name, target: done.target }, causationId, trace);
  }
}

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

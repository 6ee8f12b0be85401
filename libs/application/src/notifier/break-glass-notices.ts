import type { LedgerEventData, LedgerEventMessage } from '@approvals/contracts';
import { notificationKey } from '@approvals/domain';
import { loadAction } from '../ledger/approval-stream';
import type { Directory } from '../ports/directory.port';
import type { EventStore } from '../ports/event-store.port';
import { requestFacts } from './deliveries';
import type { NotifierCommands } from './notifier-commands';
import type { NotificationChannel, PendingApproval, PendingApprovalStore } from './pending-approval';

/**
 * The glass was broken: every approver of the review groups is told, personally, on every
 * channel (each delivery recorded), and the review joins their pending list until it is done.
 */
export class BreakGlassNotices {
  constructor(
    private readonly ledger: EventStore,
    private readonly pending: PendingApprovalStore,
    private readonly channels: readonly NotificationChannel[],
    private readonly directory: Directory,
    private readonly send: NotifierCommands,
  ) {}

  async invoked(invoked: LedgerEventData<'BreakGlassInvoked'>, message: LedgerEventMessage): Promise<void> {
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
    await this.pending.replace(item);
    // Reviewed while it was being added (here or on another replica)? Then it leaves the list again.
    const now = (await loadAction(this.ledger, actionId)).state;
    if (now.status !== 'none' && now.breakGlass?.review) return this.pending.remove(actionId);
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
        await this.send.recordNotification({ actionId, channel: channel.name, target: recipient.id, purpose: 'BREAK_GLASS' }, message.metadata.messageId, message.metadata);
      }
    }
    await this.pending.update(actionId, (kept) => ({ ...kept, notified: true }));
  }
}

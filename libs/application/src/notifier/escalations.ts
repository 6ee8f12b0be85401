import type { LedgerEventData } from '@approvals/contracts';
import type { Clock } from '../ports/clock.port';
import type { Directory } from '../ports/directory.port';
import type { Deliveries } from './deliveries';
import type { Inbox } from './inbox';
import type { NotifierCommands } from './notifier-commands';
import type { PendingApproval, PendingApprovalStore } from './pending-approval';
import type { PersonalMessages } from './personal-messages';

/** Nobody decided in time: the policy's fallback groups are asked, in order, and told personally. */
export class Escalations {
  constructor(
    private readonly pending: PendingApprovalStore,
    private readonly directory: Directory,
    private readonly clock: Clock,
    private readonly send: NotifierCommands,
    private readonly inbox: Inbox,
    private readonly personal: PersonalMessages,
    private readonly deliveries: Deliveries,
  ) {}

  /** Asks the decision service to escalate each request whose next fallback group is due (once per group). */
  async sendEscalations(items?: readonly PendingApproval[]): Promise<number> {
    const now = this.clock.now().getTime();
    let asked = 0;
    for (const item of items ?? (await this.inbox.pendingItems())) {
      if (item.kind === 'BREAK_GLASS_REVIEW' || !item.escalation?.length) continue;
      const due = item.escalation.filter(
        (step) =>
          Date.parse(item.requestedAt) + step.afterSeconds * 1000 <= now &&
          Date.parse(item.expiresAt) > now &&
          !(item.escalationsRequested ?? []).includes(step.group),
      );
      if (due.length === 0) continue;
      const reply = await this.send.escalate(item.actionId);
      if (!reply.ok) continue; // asked again on the next tick
      // Changed as kept now: the escalation's own event may have updated the item meanwhile.
      await this.pending.update(item.actionId, (kept) => ({
        ...kept,
        escalationsRequested: [...new Set([...(kept.escalationsRequested ?? []), ...due.map((step) => step.group)])],
      }));
      asked += 1;
    }
    return asked;
  }

  /** A fallback group may now approve: its members see the request and are told, personally. */
  async escalated(escalated: LedgerEventData<'ApprovalEscalated'>): Promise<void> {
    const { actionId } = escalated;
    const item = await this.pending.update(actionId, (kept) =>
      kept.escalatedGroups?.includes(escalated.group) ? undefined : { ...kept, escalatedGroups: [...(kept.escalatedGroups ?? []), escalated.group] },
    );
    if (!item) return; // decided already, or a redelivery
    const requesters = new Set([item.agentId, item.onBehalfOf, item.agentOwner].filter(Boolean));
    for (const recipient of this.directory.groupMembers(escalated.group).filter((human) => !requesters.has(human.id))) {
      await this.personal.send(
        recipient,
        `waiting for you (escalated to ${escalated.group}): ${item.agentId}'s ${item.action} on ${item.resource.kind}:${item.resource.id}, action ${actionId}`,
        { kind: 'escalation', item, group: escalated.group },
      );
    }
    await this.deliveries.refresh(item);
  }
}

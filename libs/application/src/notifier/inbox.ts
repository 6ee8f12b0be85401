import type { Directory } from '../ports/directory.port';
import type { PendingApproval, PendingApprovalStore } from './pending-approval';

/** What approvers see waiting for them: the pending list, for everyone or for one person. */
export class Inbox {
  constructor(
    private readonly pending: PendingApprovalStore,
    private readonly directory: Directory,
  ) {}

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
}

import { applyActionChange, type ActionRecord } from '../action-record';
import type { ActionSearchCriteria, ProjectedEvent, ReadModelStore, StoredTimeline, TimelineRecord } from '../read-model-store.port';

/** A test double of the read-model port with the same contract as the SQLite adapter. */
export class InMemoryReadModelStore implements ReadModelStore {
  checkpoint = 0n;
  readonly actions = new Map<string, ActionRecord>();
  readonly entries: TimelineRecord[] = [];
  /** Set to make the next `apply` fail, e.g. to simulate a full disk. */
  failNextApply: Error | undefined;

  async loadCheckpoint(): Promise<bigint> {
    return this.checkpoint;
  }

  async apply(event: ProjectedEvent): Promise<'applied' | 'skipped'> {
    if (this.failNextApply) {
      const error = this.failNextApply;
      this.failNextApply = undefined;
      throw error;
    }
    if (event.position <= this.checkpoint) return 'skipped';
    const duplicate = this.entries.some(
      (entry) => entry.eventId === event.entry.eventId || (entry.actionId === event.entry.actionId && entry.revision === event.entry.revision),
    );
    if (!duplicate) this.entries.push(event.entry);
    if (event.change) {
      const next = applyActionChange(this.actions.get(event.change.actionId), event.change);
      if (next) this.actions.set(next.actionId, next);
    }
    this.checkpoint = event.position;
    return 'applied';
  }

  async reset(): Promise<void> {
    this.checkpoint = 0n;
    this.actions.clear();
    this.entries.length = 0;
  }

  async getTimeline(actionId: string): Promise<StoredTimeline | undefined> {
    const action = this.actions.get(actionId);
    const entries = this.entries.filter((entry) => entry.actionId === actionId).sort((a, b) => a.revision - b.revision);
    return action === undefined && entries.length === 0 ? undefined : { action, entries };
  }

  async searchActions(criteria: ActionSearchCriteria): Promise<ActionRecord[]> {
    const matches = (action: ActionRecord): boolean =>
      (criteria.agentId === undefined || action.agentId === criteria.agentId) &&
      (criteria.action === undefined || action.action === criteria.action) &&
      (criteria.status === undefined || action.status === criteria.status) &&
      (criteria.environment === undefined || action.environment === criteria.environment) &&
      (criteria.approverId === undefined || action.voters.includes(criteria.approverId)) &&
      (criteria.requestedFromMs === undefined || action.requestedAtMs >= criteria.requestedFromMs) &&
      (criteria.requestedBeforeMs === undefined || action.requestedAtMs < criteria.requestedBeforeMs) &&
      (criteria.after === undefined ||
        action.requestedAtMs < criteria.after.requestedAtMs ||
        (action.requestedAtMs === criteria.after.requestedAtMs && action.actionId < criteria.after.actionId));
    return [...this.actions.values()]
      .filter(matches)
      .sort((a, b) => b.requestedAtMs - a.requestedAtMs || (a.actionId < b.actionId ? 1 : a.actionId > b.actionId ? -1 : 0))
      .slice(0, criteria.limit);
  }
}

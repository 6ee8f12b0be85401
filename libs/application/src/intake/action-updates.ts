import { finalOutcomeEventTypes } from '@approvals/domain';

/** That an action's stream gained an event: what the bus announces of each ledger event (Topics.ledgerEvents). */
export interface ActionUpdate {
  streamId: string;
  /** Revision of the new event within its stream. */
  revision: number;
  type: string;
  /**
   * The event's data as the ledger recorded it (the bus carries whole ledger events). With it a
   * watcher folds consecutive events without reading the ledger; without it, it reads.
   */
  data?: unknown;
}

type Listener = (update: ActionUpdate) => void;

/** Events that change an action's status or what AwaitDecision returns, besides the final outcomes. */
const progressEvents = new Set(['PolicyEvaluated', 'ApprovalRequested', 'ExecutionGrantIssued', 'ExecutionReported']);
export const isStatusEvent = (type: string): boolean => finalOutcomeEventTypes.has(type) || progressEvents.has(type);

/**
 * Tells the watchers of an action that its stream changed. Fed from the bus, so it works the same
 * whether the intake runs inside the embedded server or as its own process. The bus relays ledger
 * events in stream order, so a watcher folds the ones that follow on from what it read; whenever
 * they do not (a gap, an update without data), it reads the ledger, which stays the truth.
 */
export class ActionUpdates {
  private readonly listeners = new Map<string, Set<Listener>>();

  /** Hands the update to the listeners of its stream; a stream nobody watches is ignored. */
  notify(update: ActionUpdate): void {
    const listeners = this.listeners.get(update.streamId);
    if (listeners) for (const listener of [...listeners]) listener(update);
  }

  /** Registers a listener for a stream; returns the function that removes it. */
  listen(streamId: string, listener: Listener): () => void {
    let set = this.listeners.get(streamId);
    if (!set) {
      set = new Set();
      this.listeners.set(streamId, set);
    }
    set.add(listener);
    return () => {
      set.delete(listener);
      if (set.size === 0) this.listeners.delete(streamId);
    };
  }
}

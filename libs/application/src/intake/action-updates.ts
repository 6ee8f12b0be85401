import { isActionEventType, type ActionEventType } from '@approvals/contracts';

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

/** Whether each event type changes an action's status or what AwaitDecision returns: watchers wake for these. */
const statusEvents: { readonly [T in ActionEventType]: boolean } = {
  ActionRequested: false,
  PolicyEvaluated: true,
  ApprovalRequested: true,
  ApprovalEscalated: false,
  ApprovalNotified: false,
  ApprovalNotificationFailed: false,
  VoteCast: false,
  VoteRejected: false,
  ActionApproved: true,
  ActionDenied: true,
  ActionExpired: true,
  ActionCancelled: true,
  ExecutionGrantIssued: true,
  ExecutionReported: true,
  ExecutionGrantRedeemed: false,
  GrantRedemptionRejected: false,
  ExecutionGrantRevoked: false,
  StandingApprovalGranted: false,
  StandingApprovalRevoked: false,
  BreakGlassInvoked: false,
  BreakGlassRejected: false,
  BreakGlassNotified: false,
  BreakGlassReviewed: false,
};
export const isStatusEvent = (type: string): boolean => isActionEventType(type) && statusEvents[type];

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

import { finalOutcomeEventTypes } from '@approvals/domain';
import type { EventStore, RecordedEvent, Subscription } from '../ports/event-store.port';

type Listener = (event: RecordedEvent) => void;

/** Events that change an action's status or what AwaitDecision returns, besides the final outcomes. */
const progressEvents = new Set(['PolicyEvaluated', 'ApprovalRequested', 'ExecutionGrantIssued', 'ExecutionReported']);
export const isStatusEvent = (type: string): boolean => finalOutcomeEventTypes.has(type) || progressEvents.has(type);

/**
 * Hands each new event of a stream to its watchers. One live ledger subscription per process,
 * fanned out by stream id, so watching many actions costs one subscription.
 */
export class ActionUpdates {
  private readonly listeners = new Map<string, Set<Listener>>();
  private subscription: Subscription | undefined;

  constructor(private readonly store: EventStore, private readonly onError: (error: unknown) => void) {}

  async start(): Promise<void> {
    const after = await this.store.headPosition();
    this.subscription = this.store.subscribeToAll(
      (event) => {
        const listeners = this.listeners.get(event.streamId);
        if (listeners) for (const listener of [...listeners]) listener(event);
      },
      { after, streamPrefix: 'action-', onError: this.onError },
    );
    await this.subscription.caughtUp;
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

  async stop(): Promise<void> {
    await this.subscription?.close();
  }
}

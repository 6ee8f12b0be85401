import type { ApprovalRequested } from '@approvals/domain';
import { finalOutcomeEventTypes, fromActionStreamId } from '@approvals/domain';
import type { EventStore, Subscription } from '../ports/event-store.port';
import type { Clock } from '../ports/clock.port';


/**
 * Fires expiries (I4). It follows the ledger from the start, so after a restart every approval
 * request that passed its deadline while the service was down expires at once.
 */
export class ExpiryScheduler {
  private readonly deadlines = new Map<string, number>();
  private subscription: Subscription | undefined;
  private timer: NodeJS.Timeout | undefined;
  private ticking = false;

  constructor(
    private readonly store: EventStore,
    private readonly clock: Clock,
    private readonly expire: (actionId: string) => Promise<void>,
    private readonly onError: (error: unknown) => void,
    private readonly intervalMs = 250,
  ) {}

  async start(): Promise<void> {
    this.subscription = this.store.subscribeToAll(
      (event) => {
        const actionId = fromActionStreamId(event.streamId);
        if (!actionId) return;
        if (event.type === 'ApprovalRequested') {
          this.deadlines.set(actionId, Date.parse((event.data as ApprovalRequested['data']).expiresAt));
        } else if (finalOutcomeEventTypes.has(event.type)) {
          this.deadlines.delete(actionId);
        }
      },
      { streamPrefix: 'action-', onError: this.onError },
    );
    await this.subscription.caughtUp;
    await this.tick();
    this.timer = setInterval(() => void this.tick(), this.intervalMs);
    this.timer.unref();
  }

  pending(): number {
    return this.deadlines.size;
  }

  async tick(): Promise<void> {
    if (this.ticking) return;
    this.ticking = true;
    try {
      const now = this.clock.now().getTime();
      for (const [actionId, deadline] of this.deadlines) {
        if (deadline > now) continue;
        try {
          await this.expire(actionId);
          this.deadlines.delete(actionId);
        } catch (error) {
          this.onError(error);
        }
      }
    } finally {
      this.ticking = false;
    }
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.subscription?.close();
  }
}

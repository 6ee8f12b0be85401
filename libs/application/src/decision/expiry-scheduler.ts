import type { ActionRequested, ApprovalRequested } from '@approvals/domain';
import { finalOutcomeEventTypes, fromActionStreamId } from '@approvals/domain';
import type { EventStore, Subscription } from '../ports/event-store.port';
import type { Clock } from '../ports/clock.port';

/** Retrying evaluations that never came back (the message was lost or dead-lettered). */
export interface EvaluationRetry {
  /** How long an action may wait for its policy evaluation before it is asked for again. */
  afterMs: number;
  /** Asks for the evaluation again (re-publishes the ActionRequested). */
  retry: (actionId: string) => Promise<void>;
}

/**
 * Fires expiries (I4). It follows the ledger from the start, so after a restart every approval
 * request that passed its deadline while the service was down expires at once. With an
 * {@link EvaluationRetry} it also asks again for evaluations that are overdue, so an action
 * whose message was lost still reaches an outcome (I6); until then its answer is "not yet".
 */
export class ExpiryScheduler {
  private readonly deadlines = new Map<string, number>();
  private readonly evaluationsDue = new Map<string, number>();
  private subscription: Subscription | undefined;
  private timer: NodeJS.Timeout | undefined;
  private ticking = false;

  constructor(
    private readonly store: EventStore,
    private readonly clock: Clock,
    private readonly expire: (actionId: string) => Promise<void>,
    private readonly onError: (error: unknown) => void,
    private readonly intervalMs = 250,
    private readonly evaluation?: EvaluationRetry,
  ) {}

  async start(): Promise<void> {
    this.subscription = this.store.subscribeToAll(
      (event) => {
        const actionId = fromActionStreamId(event.streamId);
        if (!actionId) return;
        if (event.type === 'ActionRequested' && this.evaluation) {
          const requestedAt = Date.parse((event.data as ActionRequested['data']).requestedAt);
          this.evaluationsDue.set(actionId, requestedAt + this.evaluation.afterMs);
        } else if (event.type === 'PolicyEvaluated') {
          this.evaluationsDue.delete(actionId);
        } else if (event.type === 'ApprovalRequested') {
          this.deadlines.set(actionId, Date.parse((event.data as ApprovalRequested['data']).expiresAt));
        } else if (finalOutcomeEventTypes.has(event.type)) {
          this.deadlines.delete(actionId);
          this.evaluationsDue.delete(actionId);
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
      if (this.evaluation) await this.retryOverdueEvaluations(now, this.evaluation);
    } finally {
      this.ticking = false;
    }
  }

  private async retryOverdueEvaluations(now: number, evaluation: EvaluationRetry): Promise<void> {
    for (const [actionId, due] of this.evaluationsDue) {
      if (due > now) continue;
      // Ask again later too, in case this retry is lost as well; the evaluation removes the entry.
      this.evaluationsDue.set(actionId, now + evaluation.afterMs);
      try {
        await evaluation.retry(actionId);
      } catch (error) {
        this.onError(error);
      }
    }
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.subscription?.close();
  }
}

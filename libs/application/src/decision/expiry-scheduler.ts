import { finalOutcomeEventTypes, fromActionStreamId } from '@approvals/domain';
import { ledgerEventSchemas, parseMessage } from '@approvals/contracts';
import type { EventStore, Subscription } from '../ports/event-store.port';
import type { Clock } from '../ports/clock.port';

/** Events other services must react to, and the event in the ledger that shows they did. */
const awaitedReactions = {
  /** The policy evaluator answers an ActionRequested with PolicyEvaluated. */
  ActionRequested: 'PolicyEvaluated',
  /** The notifier answers an ApprovalRequested with ApprovalNotified. */
  ApprovalRequested: 'ApprovalNotified',
} as const;
export type AwaitedTrigger = keyof typeof awaitedReactions;

// The times the scheduler reads, checked by the event catalogue's own rules; only these, so a
// field it never reads cannot stop it.
const requestTimes = {
  ActionRequested: ledgerEventSchemas.ActionRequested.pick({ requestedAt: true }),
  ApprovalRequested: ledgerEventSchemas.ApprovalRequested.pick({ requestedAt: true, expiresAt: true }),
} as const;

/** Retrying reactions that never came (the message was lost or dead-lettered). */
export interface ReactionRetry {
  /** How long to wait for a reaction before the trigger is delivered again. */
  afterMs: number;
  /** Delivers the trigger again (re-publishes it). */
  retry: (actionId: string, trigger: AwaitedTrigger) => Promise<void>;
  /** After this many deliveries without an evaluation, the action expires (fail closed). */
  maxEvaluationAttempts: number;
  giveUpEvaluation: (actionId: string, attempts: number) => Promise<void>;
}

interface AwaitedReaction {
  actionId: string;
  trigger: AwaitedTrigger;
  due: number;
  attempts: number;
}

const reactionKey = (actionId: string, trigger: AwaitedTrigger) => `${trigger} ${actionId}`;

/**
 * Fires expiries (I4). It follows the ledger from the start, so after a restart every approval
 * request that passed its deadline while the service was down expires at once. With a
 * {@link ReactionRetry} it also delivers again the events whose reaction is overdue (a lost or
 * dead-lettered evaluation or notification), and expires an action that could get no evaluation
 * at all, so every accepted request reaches an outcome (I6) and none is ever allowed by default.
 */
export class ExpiryScheduler {
  private readonly deadlines = new Map<string, number>();
  private readonly awaiting = new Map<string, AwaitedReaction>();
  private subscription: Subscription | undefined;
  private timer: NodeJS.Timeout | undefined;
  private ticking = false;
  /** Redeliveries go through the bus, which may be away: they run beside the expiries, never in their way. */
  private redelivering: Promise<void> | undefined;
  /** Where the ledger was followed to, so a failed subscription resumes there. */
  private followedTo: bigint | undefined;
  private resubscribeTimer: NodeJS.Timeout | undefined;
  private stopped = false;

  constructor(
    private readonly store: EventStore,
    private readonly clock: Clock,
    private readonly expire: (actionId: string) => Promise<void>,
    private readonly onError: (error: unknown) => void,
    private readonly intervalMs = 250,
    private readonly reactions?: ReactionRetry,
  ) {}

  async start(): Promise<void> {
    this.stopped = false;
    this.follow();
    await this.subscription!.caughtUp;
    // Deadlines missed while down are expired before start-up ends; redeliveries may wait for the bus.
    await this.fireExpiries();
    void this.redeliverOverdue();
    this.timer = setInterval(this.onTimer, this.intervalMs);
    this.timer.unref();
  }

  /** Follows the ledger from where it was left; a subscription that fails is started again after a pause. */
  private follow(retryMs = 1000): void {
    this.subscription = this.store.subscribeToAll(
      (event) => {
        const actionId = fromActionStreamId(event.streamId);
        if (actionId) this.track(actionId, event);
        this.followedTo = event.position;
      },
      {
        streamPrefix: 'action-',
        ...(this.followedTo === undefined ? {} : { after: this.followedTo }),
        onError: (error) => {
          this.onError(error);
          if (this.stopped || this.resubscribeTimer) return;
          this.resubscribeTimer = setTimeout(() => {
            this.resubscribeTimer = undefined;
            if (!this.stopped) this.follow(Math.min(retryMs * 2, 30_000));
          }, retryMs);
          this.resubscribeTimer.unref();
        },
      },
    );
  }

  pending(): number {
    return this.deadlines.size;
  }

  /** Fires the expiries that are due, then delivers again the triggers whose reaction is overdue. */
  async tick(): Promise<void> {
    await this.fireExpiries();
    await this.redeliverOverdue();
  }

  /** What the timer runs: the redeliveries beside the expiries, so a bus outage never holds up an expiry. */
  private readonly onTimer = (): void => {
    void this.fireExpiries();
    if (!this.redelivering) void this.redeliverOverdue();
  };

  private async fireExpiries(): Promise<void> {
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

  /** One round of redeliveries at a time (each failure is reported, never thrown). */
  private redeliverOverdue(): Promise<void> {
    if (!this.reactions) return Promise.resolve();
    this.redelivering ??= this.retryOverdueReactions(this.clock.now().getTime(), this.reactions).finally(() => (this.redelivering = undefined));
    return this.redelivering;
  }

  private track(actionId: string, recorded: { type: string; data: unknown }): void {
    const { type } = recorded;
    if (type === 'ActionRequested' || type === 'ApprovalRequested') this.trackRequest(actionId, type, recorded.data);
    for (const [trigger, reaction] of Object.entries(awaitedReactions)) {
      if (type === reaction) this.awaiting.delete(reactionKey(actionId, trigger as AwaitedTrigger));
    }
    if (finalOutcomeEventTypes.has(type)) {
      this.deadlines.delete(actionId);
      for (const trigger of Object.keys(awaitedReactions)) this.awaiting.delete(reactionKey(actionId, trigger as AwaitedTrigger));
    }
  }

  /** A deadline, or a reaction to wait for, from an event's data; the other events count by their type alone. */
  private trackRequest(actionId: string, type: AwaitedTrigger, data: unknown): void {
    let times: { requestedAt: string; expiresAt?: string };
    try {
      times = parseMessage(requestTimes[type], data, `${type} data`);
    } catch (error) {
      // A bad event is reported and passed over: retrying it would stop every expiry behind it.
      this.onError(error);
      return;
    }
    if (times.expiresAt !== undefined) this.deadlines.set(actionId, Date.parse(times.expiresAt));
    if (this.reactions) this.awaiting.set(reactionKey(actionId, type), { actionId, trigger: type, due: Date.parse(times.requestedAt) + this.reactions.afterMs, attempts: 1 });
  }

  private async retryOverdueReactions(now: number, reactions: ReactionRetry): Promise<void> {
    for (const awaited of [...this.awaiting.values()]) {
      if (awaited.due > now) continue;
      try {
        if (awaited.trigger === 'ActionRequested' && awaited.attempts >= reactions.maxEvaluationAttempts) {
          await reactions.giveUpEvaluation(awaited.actionId, awaited.attempts);
          this.awaiting.delete(reactionKey(awaited.actionId, awaited.trigger));
          continue;
        }
        // Due again later too, in case this delivery is lost as well; the reaction removes the entry.
        awaited.due = now + reactions.afterMs;
        awaited.attempts += 1;
        await reactions.retry(awaited.actionId, awaited.trigger);
      } catch (error) {
        this.onError(error);
      }
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    if (this.resubscribeTimer) clearTimeout(this.resubscribeTimer);
    await this.subscription?.close();
  }
}

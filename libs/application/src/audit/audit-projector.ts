import type { EventStore, RecordedEvent, Subscription } from '../ports/event-store.port';
import { StoreUnavailableError } from '../ports/event-store.port';
import type { LedgerFinding } from '../ledger/ledger-log';
import { chainProblem, hashRecordedEvent } from '../ledger/ledger-log';
import { projectEvent } from './audit-projection';
import type { ReadModelStore } from './read-model-store.port';

/** How far the projection has got. */
export interface ProjectorLag {
  /** Global position of the last event projected (0n before the first). */
  position: bigint;
  running: boolean;
  /** True once everything in the ledger at start-up has been projected. */
  caughtUp: boolean;
  /** Why the projector stopped, when it stopped on an error. */
  lastError: string | undefined;
}

export interface AuditProjectorOptions {
  /**
   * Called when projecting an event fails; the projector then stops (see `lag().lastError`), or,
   * when a store was unreachable, starts again from its checkpoint after a pause.
   */
  onError?: ((error: unknown) => void) | undefined;
  /** First pause before starting again after a store outage; doubles up to 10 s (default 500 ms). */
  restartDelayMs?: number;
  /**
   * Hears of an event that disagrees with itself or its predecessor (I8): its hash does not match
   * its content, or it does not follow the previous event of its stream this run saw. It is still
   * projected (the timeline shows what the ledger holds); the finding says it must not be trusted.
   */
  onFinding?: ((finding: LedgerFinding) => void) | undefined;
}

/** Stream heads remembered for the link check (the most recently seen streams). */
const rememberedHeads = 10_000;

interface PositionWaiter {
  position: bigint;
  resolve: () => void;
  reject: (error: Error) => void;
}

/** Only action streams feed the auditors' read model. */
const ACTION_STREAM_PREFIX = 'action-';

/**
 * Follows the ledger in global order and keeps the audit read model up to date. Each event and
 * the checkpoint are written in one transaction, and events at or below the checkpoint are
 * skipped, so a redelivery or a restart never duplicates or loses an entry.
 */
export class AuditProjector {
  private subscription: Subscription | undefined;
  private position = 0n;
  private caughtUp = false;
  private lastError: string | undefined;
  private waiters: PositionWaiter[] = [];
  private transition: Promise<void> = Promise.resolve();
  /** Set by stop(): no restart after an outage. */
  private stopped = false;
  private restartTimer: NodeJS.Timeout | undefined;
  private restartDelayMs: number;

  constructor(
    private readonly events: EventStore,
    private readonly store: ReadModelStore,
    private readonly options: AuditProjectorOptions = {},
  ) {
    this.restartDelayMs = options.restartDelayMs ?? 500;
  }

  /** Loads the checkpoint and subscribes from it; resolves once subscribed (see {@link whenCaughtUp}). */
  start(): Promise<void> {
    this.stopped = false;
    return this.serialize(() => this.startNow());
  }

  /** Stops following the ledger, after the event in flight is stored. */
  stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.restartTimer);
    this.restartTimer = undefined;
    return this.serialize(() => this.stopNow());
  }

  /** Empties the read model and projects the whole ledger again; resolves once caught up. */
  async rebuild(): Promise<void> {
    await this.serialize(async () => {
      await this.stopNow();
      await this.store.reset();
      await this.startNow();
    });
    await this.whenCaughtUp();
  }

  /** Resolves once everything in the ledger when the projector started has been projected. */
  async whenCaughtUp(): Promise<void> {
    await this.transition;
    if (!this.subscription) throw new Error(this.notRunningMessage());
    await this.subscription.caughtUp;
  }

  /** Resolves once the event at `position` (or a later one) is projected: read-your-writes for callers. */
  waitForPosition(position: bigint): Promise<void> {
    if (this.position >= position) return Promise.resolve();
    if (!this.subscription) return Promise.reject(new Error(this.notRunningMessage()));
    return new Promise<void>((resolve, reject) => this.waiters.push({ position, resolve, reject }));
  }

  lag(): ProjectorLag {
    return { position: this.position, running: this.subscription !== undefined, caughtUp: this.caughtUp, lastError: this.lastError };
  }

  private async startNow(): Promise<void> {
    if (this.subscription) return;
    this.position = await this.store.loadCheckpoint();
    this.caughtUp = false;
    this.lastError = undefined;
    const subscription: Subscription = this.events.subscribeToAll((event) => this.project(event), {
      after: this.position,
      streamPrefix: ACTION_STREAM_PREFIX,
      onError: (error) => this.fail(subscription, error),
    });
    this.subscription = subscription;
    subscription.caughtUp.then(
      () => {
        if (this.subscription === subscription) this.caughtUp = true;
      },
      () => undefined,
    );
  }

  private async stopNow(): Promise<void> {
    const subscription = this.subscription;
    if (!subscription) return;
    this.subscription = undefined;
    await subscription.close();
    this.rejectWaiters(new Error('audit projector stopped'));
  }

  private async project(event: RecordedEvent): Promise<void> {
    if (event.position <= this.position) return;
    this.check(event);
    const projected = projectEvent(event);
    if (projected) await this.store.apply(projected);
    this.remember(event);
    this.position = event.position;
    this.resolveWaiters();
  }

  private readonly heads = new Map<string, { revision: number; hash: string }>();

  /**
   * The divergence check: the event's own hash, and its link to the stream's previous event when
   * this projector projected that one (a redelivery after a restart is not a link to judge).
   */
  private check(event: RecordedEvent): void {
    if (!this.options.onFinding) return;
    const seen = this.heads.get(event.streamId);
    const previous = seen !== undefined && seen.revision < event.revision ? seen : undefined;
    const hashed = hashRecordedEvent(event);
    // Without the previous event, only the event's own hash is judged.
    const finding = previous === undefined && hashed.computed === event.hash ? undefined : chainProblem(hashed, hashed.computed, previous);
    if (finding) this.options.onFinding(finding);
  }

  /** The stream's head once its event is projected, for the next link check. */
  private remember(event: RecordedEvent): void {
    if (!this.options.onFinding) return;
    this.heads.delete(event.streamId);
    this.heads.set(event.streamId, { revision: event.revision, hash: event.hash });
    if (this.heads.size > rememberedHeads) this.heads.delete(this.heads.keys().next().value!);
  }

  private fail(subscription: Subscription, error: unknown): void {
    if (this.subscription === subscription) this.subscription = undefined;
    this.lastError = error instanceof Error ? error.message : String(error);
    this.rejectWaiters(new Error(`audit projector stopped: ${this.lastError}`));
    this.options.onError?.(error);
    if (error instanceof StoreUnavailableError) this.restartLater(this.restartDelayMs);
  }

  /** After a store outage: start again from the durable checkpoint (nothing applied twice or lost). */
  private restartLater(delayMs: number): void {
    if (this.stopped || this.restartTimer) return;
    this.restartTimer = setTimeout(() => {
      this.restartTimer = undefined;
      if (this.stopped) return;
      this.serialize(() => this.startNow()).catch((error: unknown) => {
        this.lastError = error instanceof Error ? error.message : String(error);
        this.options.onError?.(error);
        if (error instanceof StoreUnavailableError) this.restartLater(Math.min(delayMs * 2, 10_000));
      });
    }, delayMs);
    this.restartTimer.unref?.();
  }

  private resolveWaiters(): void {
    if (this.waiters.length === 0) return;
    const due = this.waiters.filter((waiter) => waiter.position <= this.position);
    this.waiters = this.waiters.filter((waiter) => waiter.position > this.position);
    for (const waiter of due) waiter.resolve();
  }

  private rejectWaiters(error: Error): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const waiter of waiters) waiter.reject(error);
  }

  private notRunningMessage(): string {
    return this.lastError ? `audit projector stopped: ${this.lastError}` : 'audit projector is not running; call start() first';
  }

  /** Start, stop and rebuild run one at a time, in call order. */
  private serialize(work: () => Promise<void>): Promise<void> {
    const next = this.transition.then(work);
    this.transition = next.catch(() => undefined);
    return next;
  }
}

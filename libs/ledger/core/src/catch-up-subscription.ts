import { StoreUnavailableError, type EventHandler, type RecordedEvent, type Subscription } from '@approvals/application';

/** One page of the global log, as read by a {@link CatchUpSubscription}. */
export interface GlobalLogPage {
  /** Matching events after the cursor, in global order. */
  events: RecordedEvent[];
  /**
   * Every event (matching or not) up to this position has been considered, so the cursor may
   * move here even when the filter left `events` short or empty. Must never skip an event that
   * could still become visible later.
   */
  scannedTo: bigint;
}

/** What a catch-up subscription needs from a store: a gap-free reader of the global order. */
export interface GlobalLogSource {
  /** Position of the last committed event (0n when empty). */
  head(): Promise<bigint>;
  readPage(after: bigint, streamPrefix: string | undefined, maxCount: number): Promise<GlobalLogPage>;
}

/** Options of one {@link CatchUpSubscription}, as the store fills them in. */
export interface CatchUpSubscriptionOptions {
  after?: bigint | undefined;
  streamPrefix?: string | undefined;
  onError?: ((error: unknown) => void) | undefined;
  /** Re-read at least this often, to see writers this process is not told about (other processes). */
  pollIntervalMs: number;
  pageSize: number;
  /** Longest pause between reads while the store is unavailable (default 5000 ms). */
  maxRetryDelayMs?: number;
}

/**
 * Delivers the global log one event at a time: catch-up in pages, then live. The store calls
 * `wake()` after each commit it makes; the poll timer covers commits made elsewhere. Because a
 * single loop owns the cursor, concurrent appends can neither open a gap nor cause a duplicate.
 * A read that finds the store unavailable is tried again with backoff from the same cursor, so
 * an outage delays subscribers but never stops them; a handler's error still ends the subscription.
 */
export class CatchUpSubscription implements Subscription {
  readonly caughtUp: Promise<void>;
  private cursor: bigint;
  private closing = false;
  private closeRequested = false;
  private woken = false;
  private isCaughtUp = false;
  private wakeWaiter: (() => void) | undefined;
  private resolveCaughtUp!: () => void;
  private rejectCaughtUp!: (error: unknown) => void;
  private readonly loop: Promise<void>;

  constructor(
    private readonly source: GlobalLogSource,
    private readonly handler: EventHandler,
    private readonly options: CatchUpSubscriptionOptions,
    private readonly onStopped: (subscription: CatchUpSubscription) => void = () => undefined,
  ) {
    this.cursor = options.after ?? 0n;
    this.caughtUp = new Promise<void>((resolve, reject) => {
      this.resolveCaughtUp = resolve;
      this.rejectCaughtUp = reject;
    });
    // Whoever awaits caughtUp sees the rejection; nobody awaiting it is not an error.
    this.caughtUp.catch(() => undefined);
    this.loop = this.run();
  }

  /** Tells the subscription that new events may have been committed. */
  wake(): void {
    this.woken = true;
    this.wakeWaiter?.();
  }

  async close(): Promise<void> {
    this.closeRequested = true;
    this.closing = true;
    this.wakeWaiter?.();
    await this.loop;
  }

  private async run(): Promise<void> {
    try {
      const startHead = await this.retrying(() => this.source.head());
      while (!this.closing) {
        this.woken = false;
        const page = await this.retrying(() => this.source.readPage(this.cursor, this.options.streamPrefix, this.options.pageSize));
        for (const event of page.events) {
          if (this.closing) return;
          await this.handler(event);
          this.cursor = event.position;
          if (this.cursor >= startHead) this.markCaughtUp();
        }
        if (this.closing) return;
        if (page.scannedTo > this.cursor) this.cursor = page.scannedTo;
        if (this.cursor >= startHead) this.markCaughtUp();
        if (page.events.length < this.options.pageSize) await this.waitForWake();
      }
    } catch (error) {
      this.closing = true;
      // Closed while waiting for the store to come back: a stop, not a failure.
      if (!(this.closeRequested && error instanceof StoreUnavailableError)) this.fail(error);
    } finally {
      if (!this.isCaughtUp) this.rejectCaughtUp(new Error('subscription closed before it caught up'));
      this.onStopped(this);
    }
  }

  /** Runs a read, again and again with growing pauses while the store is unavailable (until closed). */
  private async retrying<T>(read: () => Promise<T>): Promise<T> {
    for (let delay = 100; ; delay = Math.min(delay * 2, this.options.maxRetryDelayMs ?? 5000)) {
      try {
        return await read();
      } catch (error) {
        if (!(error instanceof StoreUnavailableError) || this.closing) throw error;
        await this.pause(delay);
        if (this.closing) throw error;
      }
    }
  }

  /** Waits `ms`, or less if the subscription is closed meanwhile. */
  private pause(ms: number): Promise<void> {
    return new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        this.wakeWaiter = undefined;
        resolve();
      }, ms);
      this.wakeWaiter = () => {
        if (!this.closing) return; // a commit elsewhere does not end the pause; closing does
        clearTimeout(timer);
        this.wakeWaiter = undefined;
        resolve();
      };
    });
  }

  private markCaughtUp(): void {
    if (this.isCaughtUp) return;
    this.isCaughtUp = true;
    this.resolveCaughtUp();
  }

  private fail(error: unknown): void {
    if (!this.isCaughtUp) {
      this.isCaughtUp = true;
      this.rejectCaughtUp(error);
    }
    if (this.options.onError) this.options.onError(error);
    // A subscriber that stops silently would stall its projection unnoticed; fail loudly instead.
    else void Promise.reject(error);
  }

  private waitForWake(): Promise<void> {
    if (this.woken || this.closing) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const timer = setTimeout(() => this.wakeWaiter?.(), this.options.pollIntervalMs);
      this.wakeWaiter = () => {
        clearTimeout(timer);
        this.wakeWaiter = undefined;
        resolve();
      };
    });
  }
}

/** The part of the client's live `$all` subscription the notifier uses. */
export interface LiveFeed {
  on(event: 'data' | 'confirmation' | 'close', listener: () => void): unknown;
  on(event: 'error', listener: (error: Error) => void): unknown;
  removeAllListeners(): unknown;
  unsubscribe(): Promise<void>;
}

/**
 * Keeps one live subscription to the server (from the end of `$all`, ledger streams only) and
 * calls `onChange` for every event it announces, so idle catch-up subscriptions re-read at once
 * instead of at their next poll. It carries no events itself: the subscriptions read their pages
 * in order, so a lost or late notification costs latency, never an event. When the feed fails it
 * reports the error and reconnects with backoff, then announces a change (events may have been
 * appended while it was away).
 */
export class KurrentDbChangeNotifier {
  private feed: LiveFeed | undefined;
  private timer: NodeJS.Timeout | undefined;
  private retryMs: number;
  private stopped = false;

  constructor(
    private readonly subscribe: () => LiveFeed,
    private readonly onChange: () => void,
    private readonly onError: (error: unknown) => void,
    private readonly backoff: { minMs: number; maxMs: number } = { minMs: 100, maxMs: 5000 },
  ) {
    this.retryMs = backoff.minMs;
  }

  /** Opens the feed unless it is open or a reconnect is pending. */
  start(): void {
    if (this.stopped || this.feed || this.timer) return;
    let feed: LiveFeed;
    try {
      feed = this.subscribe();
    } catch (error) {
      this.onError(error);
      this.reconnectLater();
      return;
    }
    this.feed = feed;
    feed.on('confirmation', () => {
      this.retryMs = this.backoff.minMs;
      this.onChange();
    });
    feed.on('data', () => this.onChange());
    feed.on('error', (error) => {
      this.onError(error);
      this.drop(feed);
    });
    feed.on('close', () => this.drop(feed));
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    const feed = this.feed;
    this.feed = undefined;
    if (feed) await release(feed);
  }

  private drop(feed: LiveFeed): void {
    if (this.feed !== feed) return;
    this.feed = undefined;
    void release(feed);
    this.reconnectLater();
  }

  private reconnectLater(): void {
    if (this.stopped || this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.start();
      if (this.feed) this.onChange();
    }, this.retryMs);
    this.timer.unref();
    this.retryMs = Math.min(this.retryMs * 2, this.backoff.maxMs);
  }
}

async function release(feed: LiveFeed): Promise<void> {
  feed.removeAllListeners();
  // A late error of a feed being let go must not become an unhandled 'error' event.
  feed.on('error', () => undefined);
  await feed.unsubscribe().catch(() => undefined);
}

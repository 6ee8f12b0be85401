import type { EventHandler, SubscribeOptions, Subscription } from '@approvals/application';
import { CatchUpSubscription, type GlobalLogSource } from './catch-up-subscription';
import { LedgerClosedError } from './ledger-closed.error';

export interface StoreSubscriptionsOptions {
  /** How often idle subscriptions re-read, to see appends by other processes. */
  pollIntervalMs: number;
  /** Events per read of the global log. */
  pageSize: number;
  /** Where the store is, for LedgerClosedError. */
  location: string;
  /** The store's own check that its connection is usable (throws when it is not). */
  assertConnected?: () => void;
}

/**
 * What every ledger store does around its global log, in one place: the catch-up subscriptions it
 * serves (woken after its own commits), refusing calls once it is closing, and closing the
 * subscriptions (awaiting in-flight handlers) before its connections, once.
 */
export class StoreSubscriptions {
  readonly pollIntervalMs: number;
  readonly pageSize: number;
  private readonly subscriptions = new Set<CatchUpSubscription>();
  private closing: Promise<void> | undefined;

  constructor(
    private readonly source: GlobalLogSource,
    private readonly options: StoreSubscriptionsOptions,
  ) {
    if (!(Number.isSafeInteger(options.pageSize) && options.pageSize > 0)) throw new TypeError('pageSize must be a positive integer');
    if (!(options.pollIntervalMs > 0)) throw new TypeError('pollIntervalMs must be a positive number of milliseconds');
    this.pollIntervalMs = options.pollIntervalMs;
    this.pageSize = options.pageSize;
  }

  /** True once close() was called. */
  get isClosing(): boolean {
    return this.closing !== undefined;
  }

  /** Throws LedgerClosedError once the store is closing, or the store's own error when it is not connected. */
  assertOpen(): void {
    if (this.closing) throw new LedgerClosedError(this.options.location);
    this.options.assertConnected?.();
  }

  /** The position of the last committed event; rejects (never throws) once the store is closing. */
  async headPosition(): Promise<bigint> {
    this.assertOpen();
    return this.source.head();
  }

  subscribe(handler: EventHandler, options: SubscribeOptions & { onError?: (error: unknown) => void } = {}): Subscription {
    this.assertOpen();
    const subscription = new CatchUpSubscription(
      this.source,
      handler,
      { ...options, pollIntervalMs: this.pollIntervalMs, pageSize: this.pageSize },
      (stopped) => this.subscriptions.delete(stopped),
    );
    this.subscriptions.add(subscription);
    return subscription;
  }

  /** After a commit of this store: the subscriptions read on now rather than at their next poll. */
  wake(): void {
    for (const subscription of this.subscriptions) subscription.wake();
  }

  /** Stops every subscription (awaiting in-flight handlers), then `release`s the store's connections; once. */
  close(release: () => Promise<void> | void): Promise<void> {
    this.closing ??= (async () => {
      await Promise.all([...this.subscriptions].map((subscription) => subscription.close()));
      await release();
    })();
    return this.closing;
  }
}

import type { Consumer } from 'kafkajs';

/**
 * Runs a consumer's start-up (`connect`, `subscribe`, `run`) and resolves once it has joined its
 * group and completed a fetch: from then on its positions are fixed, so a group that starts at the
 * newest offsets misses nothing sent later. Rejects when the start-up fails or the fetch does not
 * come within `timeoutMs`; either way nothing is left behind (no timer, no listener, no promise
 * that could reject unobserved).
 */
export async function startUntilFetching(consumer: Consumer, timeoutMs: number, start: () => Promise<void>): Promise<void> {
  let cleanup = (): void => undefined;
  const fetching = new Promise<void>((resolve, reject) => {
    let joined = false;
    const timer = setTimeout(
      () => reject(new Error(`the Kafka consumer did not join its group within ${timeoutMs} ms; is the broker reachable?`)),
      timeoutMs,
    );
    const removers = [
      consumer.on(consumer.events.GROUP_JOIN, () => (joined = true)),
      consumer.on(consumer.events.FETCH, () => {
        if (joined) resolve();
      }),
      consumer.on(consumer.events.CRASH, (event) => {
        if (!event.payload.restart) reject(event.payload.error);
      }),
    ];
    cleanup = () => {
      clearTimeout(timer);
      for (const remove of removers) remove();
    };
  });
  try {
    // Listening first, so no event of the start-up is missed.
    await Promise.all([start(), fetching]);
  } finally {
    cleanup();
  }
}

export interface RestartingConsumerOptions {
  /** How long each start may take to join its group and fetch. */
  joinTimeoutMs: number;
  /** A crash kafkajs will not recover from by itself; the consumer is started again after `retryInMs`. */
  onCrash?: (error: unknown, retryInMs: number) => void;
  /** Started again after a crash. */
  onRestarted?: () => void;
}

/**
 * A kafkajs consumer that is started again, as a new consumer, after a crash kafkajs does not
 * restart from itself. With unlimited retries kafkajs rides out most broker outages, but some
 * errors during one (the group coordinator not found while the broker is away) are "non-retriable":
 * the consumer stops for good, and the service would stay alive and deaf. Starts are tried again
 * with a pause that doubles from 1 s to 5 s (kafkajs's own longest pause between retries; a start
 * while the broker is away takes long anyway, retrying its connection) until one succeeds or the
 * consumer is stopped.
 */
export class RestartingConsumer {
  private consumer: Consumer | undefined;
  private stopped = false;
  private restarting = false;

  constructor(
    /** A new consumer, with its event listeners attached. */
    private readonly create: () => Consumer,
    /** Connects, subscribes and runs it. */
    private readonly run: (consumer: Consumer) => Promise<void>,
    private readonly options: RestartingConsumerOptions,
  ) {}

  /** The consumer running now (a new one after each restart). */
  get current(): Consumer | undefined {
    return this.consumer;
  }

  /** Starts it and resolves once it has joined its group and fetched (see startUntilFetching). */
  async start(): Promise<void> {
    const consumer = this.create();
    this.consumer = consumer;
    consumer.on(consumer.events.CRASH, (event) => {
      if (!event.payload.restart && this.consumer === consumer) this.restartAfterCrash(consumer, event.payload.error);
    });
    await startUntilFetching(consumer, this.options.joinTimeoutMs, () => this.run(consumer));
  }

  /** Finishes the messages in hand, commits their offsets and leaves the group; no restart after this. */
  async stop(): Promise<void> {
    this.stopped = true;
    await this.consumer?.disconnect();
  }

  private restartAfterCrash(crashed: Consumer, error: unknown): void {
    if (this.stopped || this.restarting) return;
    this.restarting = true;
    void (async () => {
      for (let delay = 1000; !this.stopped; delay = Math.min(delay * 2, 5000)) {
        this.options.onCrash?.(error, delay);
        await new Promise((resolve) => setTimeout(resolve, delay));
        if (this.stopped) return;
        await crashed.disconnect().catch(() => undefined);
        try {
          await this.start();
          this.options.onRestarted?.();
          return;
        } catch (startError) {
          error = startError;
          await this.consumer?.disconnect().catch(() => undefined);
        }
      }
    })()
      .catch((unexpected: unknown) => this.options.onCrash?.(unexpected, 0))
      .finally(() => (this.restarting = false));
  }
}

import type { Admin, Kafka } from 'kafkajs';
import { withDeadline } from '@approvals/application';

export interface KafkaHealthOptions {
  /** How often the cluster is asked (default 2000 ms). */
  intervalMs?: number;
  /** How long one question may take before the broker counts as away (default 3000 ms). */
  timeoutMs?: number;
  /** Called when the broker goes away (with the error) and when it is back. */
  onChange?: (reachable: boolean, error?: unknown) => void;
}

/**
 * Whether the Kafka cluster answers: a small admin client asks for the cluster's metadata every
 * `intervalMs`, each time within `timeoutMs`. The producer and the consumers retry without limit
 * (a broker restart is ridden out by reconnecting), so their own calls never tell; this does, for
 * /readyz and for the command sender, which answers "unavailable" at once while the broker is away.
 */
export class KafkaHealth {
  private reachableNow = true;
  private timer: NodeJS.Timeout | undefined;
  /** The question being asked: one at a time, however long kafkajs takes to give up on it. */
  private asking: Promise<void> | undefined;

  private constructor(
    private readonly admin: Admin,
    private readonly options: Required<Pick<KafkaHealthOptions, 'intervalMs' | 'timeoutMs'>> & KafkaHealthOptions,
  ) {}

  /** Connects (the broker answered start-up just before) and starts asking. */
  static async start(kafka: Kafka, options: KafkaHealthOptions = {}): Promise<KafkaHealth> {
    const health = new KafkaHealth(kafka.admin({ retry: { retries: 0 } }), { intervalMs: 2000, timeoutMs: 3000, ...options });
    await health.admin.connect();
    health.timer = setInterval(() => void health.probe(), health.options.intervalMs);
    health.timer.unref();
    return health;
  }

  /** False from the first unanswered question until the next answered one. */
  get reachable(): boolean {
    return this.reachableNow;
  }

  /** Asks once (or waits for the question already asked), within the timeout; never rejects. */
  async probe(): Promise<void> {
    this.asking ??= this.admin
      .describeCluster()
      .then(
        () => this.update(true),
        (error: unknown) => this.update(false, error),
      )
      .finally(() => (this.asking = undefined));
    const asking = this.asking;
    await withDeadline(
      this.options.timeoutMs,
      () => new Error(`the Kafka cluster did not answer within ${this.options.timeoutMs} ms`),
      () => asking,
    ).catch((error: unknown) => this.update(false, error));
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.admin.disconnect().catch(() => undefined);
  }

  private update(reachable: boolean, error?: unknown): void {
    if (reachable === this.reachableNow) return;
    this.reachableNow = reachable;
    try {
      this.options.onChange?.(reachable, error);
    } catch {
      // a listener's failure must not stop the probing
    }
  }
}

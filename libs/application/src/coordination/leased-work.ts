import { withDeadline } from '../deadline';
import type { Leases } from '../ports/lease.port';

/** What runs on one replica at a time: started when its lease is won, stopped when it is lost. */
export interface SingletonWork {
  start(): Promise<void>;
  stop(): Promise<void>;
}

export interface LeasedWorkOptions {
  /** How long a lease lasts unless renewed: a dead holder's work resumes elsewhere within it. */
  ttlMs: number;
  /** How often the lease is renewed (or, by a replica without it, tried). Default ttlMs / 3. */
  renewMs?: number | undefined;
  onChange?: ((held: boolean) => void) | undefined;
  onError?: ((error: unknown) => void) | undefined;
}

/**
 * Runs `work` on exactly one replica: the one holding the lease `name`. Every replica tries the
 * lease on a timer; the holder renews it. A holder that cannot renew (the store is away) stops
 * the work before its lease can have run out, so two replicas never run it in the same lease
 * term; a holder that dies simply stops renewing, and another replica takes over once the lease
 * runs out.
 */
export class LeasedWork {
  private timer: NodeJS.Timeout | undefined;
  private expiry: NodeJS.Timeout | undefined;
  private heldUntil = 0;
  private running = false;
  private turn: Promise<void> = Promise.resolve();
  private stopped = true;

  constructor(
    private readonly leases: Leases,
    private readonly name: string,
    private readonly holder: string,
    private readonly work: SingletonWork,
    private readonly options: LeasedWorkOptions,
  ) {}

  private get renewMs(): number {
    return this.options.renewMs ?? Math.max(100, Math.floor(this.options.ttlMs / 3));
  }

  /** Whether this replica holds the lease (and runs the work) now. */
  get held(): boolean {
    return this.running && Date.now() < this.heldUntil;
  }

  /** Tries the lease once before returning (a lone replica has its work running then), then on a timer. */
  async start(): Promise<void> {
    this.stopped = false;
    await this.renew();
    this.timer = setInterval(() => void this.renew(), this.renewMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    this.timer = undefined;
    clearTimeout(this.expiry);
    await this.turn;
    await this.setRunning(false);
    await this.leases.release(this.name, this.holder).catch((error: unknown) => this.options.onError?.(error));
  }

  /** One attempt, never two at once. */
  private renew(): Promise<void> {
    this.turn = this.turn.then(() => this.attempt());
    return this.turn;
  }

  private async attempt(): Promise<void> {
    if (this.stopped) return;
    const askedAt = Date.now();
    let won = false;
    // Bounded: a store that hangs must not keep the work running past the lease.
    const bound = Math.max(1, this.running ? Math.min(this.renewMs, this.heldUntil - askedAt) : this.renewMs);
    try {
      won = await withDeadline(bound, () => new Error(`lease ${this.name}: the store did not answer within ${bound} ms`), () =>
        this.leases.acquire(this.name, this.holder, this.options.ttlMs),
      );
    } catch (error) {
      this.options.onError?.(error);
      // Unknown: keep running while the last lease surely lasts, measured from when it was asked for.
      won = this.running && Date.now() < this.heldUntil;
      await this.setRunning(won);
      return;
    }
    // Counted from before the question: the store's lease cannot end sooner than that.
    if (won) {
      this.heldUntil = askedAt + this.options.ttlMs - Math.min(1000, this.options.ttlMs / 5);
      this.armExpiry();
    }
    await this.setRunning(won && !this.stopped);
  }

  /**
   * Stops the work when the lease may end, whatever the renewals are doing (one may hang on a
   * store that is away): a renewal that succeeds in time re-arms it further out.
   */
  private armExpiry(): void {
    clearTimeout(this.expiry);
    this.expiry = setTimeout(() => {
      if (!this.running || Date.now() < this.heldUntil) return;
      this.options.onError?.(new Error(`lease ${this.name}: not renewed in time; stopping the work`));
      this.turn = this.turn.then(() => this.setRunning(false));
    }, Math.max(0, this.heldUntil - Date.now()));
    this.expiry.unref();
  }

  private async setRunning(run: boolean): Promise<void> {
    if (run === this.running) return;
    this.running = run;
    try {
      if (run) await this.work.start();
      else await this.work.stop();
    } catch (error) {
      this.options.onError?.(error);
      if (run) {
        // It did not start: what did start is stopped, and the lease given back for another replica.
        this.running = false;
        await this.work.stop().catch((stopError: unknown) => this.options.onError?.(stopError));
        await this.leases.release(this.name, this.holder).catch(() => undefined);
      }
    }
    this.options.onChange?.(this.running);
  }
}

/**
 * Refuses a signed callback presented a second time (a replay) while its signature would still be
 * accepted. Shared by every replica (PostgreSQL in distributed mode): a replay sent to another
 * replica than the original is refused as well.
 */
export interface ReplayGuard {
  /**
   * True the first time `key` is presented; false while it is remembered. After `keepUntil` the
   * callback is refused as stale anyway, so the key may be forgotten.
   */
  firstUse(key: string, keepUntil: Date): Promise<boolean>;
}

/** A ReplayGuard for one process (embedded mode): keys are forgotten once past their time. */
export class InMemoryReplayGuard implements ReplayGuard {
  private readonly seen = new Map<string, number>();

  constructor(private readonly now: () => number = Date.now) {}

  async firstUse(key: string, keepUntil: Date): Promise<boolean> {
    const now = this.now();
    for (const [seen, until] of this.seen) if (until < now) this.seen.delete(seen);
    if (this.seen.has(key)) return false;
    this.seen.set(key, keepUntil.getTime());
    return true;
  }
}

/**
 * Named leases in the store every replica shares: at most one holder of a name at a time, for as
 * long as it keeps renewing. Time is the store's, so the replicas' clocks need not agree.
 */
export interface Leases {
  /** Takes `name` for `holder`, or renews it, for `ttlMs` from now; whether `holder` holds it. */
  acquire(name: string, holder: string, ttlMs: number): Promise<boolean>;
  /** Gives `name` up at once if `holder` holds it (a clean stop; a dead holder's lease just runs out). */
  release(name: string, holder: string): Promise<void>;
}

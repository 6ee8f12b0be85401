import type { Leases } from '@approvals/application';

/** Leases of one process (embedded mode): the first holder of a name keeps it until it lets go. */
export class LocalLeases implements Leases {
  private readonly holders = new Map<string, string>();

  async acquire(name: string, holder: string): Promise<boolean> {
    const current = this.holders.get(name) ?? holder;
    this.holders.set(name, current);
    return current === holder;
  }

  async release(name: string, holder: string): Promise<void> {
    if (this.holders.get(name) === holder) this.holders.delete(name);
  }
}

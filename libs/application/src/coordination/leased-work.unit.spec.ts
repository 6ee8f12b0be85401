import type { Leases } from '../ports/lease.port';
import { LeasedWork } from './leased-work';

/** Leases of one holder, whose store the test can make hang. */
class TestLeases implements Leases {
  holder: string | undefined;
  hang = false;
  released = 0;

  acquire(_name: string, holder: string): Promise<boolean> {
    if (this.hang) return new Promise(() => undefined);
    this.holder ??= holder;
    return Promise.resolve(this.holder === holder);
  }

  async release(_name: string, holder: string): Promise<void> {
    if (this.holder === holder) this.holder = undefined;
    this.released += 1;
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('LeasedWork', () => {
  it('stops what started of a work whose start failed, and gives the lease back', async () => {
    const leases = new TestLeases();
    const log: string[] = [];
    const work = {
      start: async () => {
        log.push('relay started');
        throw new Error('the expiries could not start');
      },
      stop: async () => void log.push('stopped'),
    };
    const leased = new LeasedWork(leases, 'decision.outbox', 'replica-a', work, { ttlMs: 60_000, onError: () => undefined });
    await leased.start();
    expect(log).toEqual(['relay started', 'stopped']);
    expect([leased.held, leases.holder]).toEqual([false, undefined]);
    await leased.stop();
  });

  it('stops the work before its lease can end when renewals hang on a store that is away', async () => {
    const leases = new TestLeases();
    let running = false;
    const errors: string[] = [];
    const leased = new LeasedWork(leases, 'notifier.clock', 'replica-a', { start: async () => void (running = true), stop: async () => void (running = false) }, {
      ttlMs: 1_000,
      renewMs: 200,
      onError: (error) => errors.push((error as Error).message),
    });
    await leased.start();
    expect(running).toBe(true);
    leases.hang = true;
    const hungAt = Date.now();
    while (running && Date.now() - hungAt < 3_000) await sleep(20);
    expect(running).toBe(false);
    // The lease was taken at most one renewal before the hang, and lasts 1 s in the store.
    expect(Date.now() - hungAt).toBeLessThan(1_000);
    expect(errors.some((message) => message.includes('did not answer'))).toBe(true);
    leases.hang = false;
    await leased.stop();
  });
});

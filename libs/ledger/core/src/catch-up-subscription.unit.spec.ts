import { StoreUnavailableError, type RecordedEvent } from '@approvals/application';
import { CatchUpSubscription, type GlobalLogSource } from './catch-up-subscription';

const event = (position: number): RecordedEvent => ({
  eventId: `e-${position}`,
  type: 'Probed',
  data: {},
  metadata: { prevHash: null, occurredAt: '2026-01-01T00:00:00.000Z' },
  streamId: `action-${position}`,
  revision: 0,
  position: BigInt(position),
  hash: `h-${position}`,
});

/** A log of `events`, whose reads fail with StoreUnavailableError while `down` is true. */
function logSource(events: RecordedEvent[]) {
  const state = { down: false, failedReads: 0 };
  const unavailable = () => {
    state.failedReads += 1;
    return Promise.reject(new StoreUnavailableError('the store cannot be reached'));
  };
  const source: GlobalLogSource = {
    head: () => (state.down ? unavailable() : Promise.resolve(BigInt(events.length))),
    readPage: (after, _prefix, max) => {
      if (state.down) return unavailable();
      const page = events.filter((e) => e.position > after).slice(0, max);
      return Promise.resolve({ events: page, scannedTo: page.at(-1)?.position ?? after });
    },
  };
  return { source, state };
}

const until = async (check: () => boolean) => {
  const deadline = Date.now() + 5000;
  while (!check() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
};

describe('CatchUpSubscription while the store is unavailable', () => {
  it('keeps reading from the same cursor with backoff and delivers every event once when the store is back', async () => {
    // given a log of 3 events and a store that is down when the subscription starts
    const events = [event(1), event(2), event(3)];
    const { source, state } = logSource(events);
    state.down = true;
    const delivered: bigint[] = [];
    const errors: unknown[] = [];
    const subscription = new CatchUpSubscription(source, (e) => void delivered.push(e.position), {
      onError: (error) => errors.push(error),
      pollIntervalMs: 20,
      pageSize: 2,
      maxRetryDelayMs: 20,
    });

    // when reads keep failing for a while, then the store comes back and more is appended
    await until(() => state.failedReads >= 3);
    expect(delivered).toEqual([]);
    state.down = false;
    await subscription.caughtUp;
    state.down = true;
    events.push(event(4));
    subscription.wake();
    await until(() => state.failedReads >= 6);
    state.down = false;
    subscription.wake();
    await until(() => delivered.length >= 4);

    // then nothing was lost or doubled, and the outage was no error of the subscription
    expect(delivered).toEqual([1n, 2n, 3n, 4n]);
    expect(errors).toEqual([]);
    await subscription.close();
  });

  it('stops without an error when closed while it waits for the store', async () => {
    const { source, state } = logSource([event(1)]);
    state.down = true;
    const errors: unknown[] = [];
    const subscription = new CatchUpSubscription(source, () => undefined, { onError: (error) => errors.push(error), pollIntervalMs: 20, pageSize: 10 });
    await until(() => state.failedReads >= 1);

    await subscription.close();

    expect(errors).toEqual([]);
    await expect(subscription.caughtUp).rejects.toThrow('subscription closed before it caught up');
  });

  it('still ends at the first error that is not about availability', async () => {
    const source: GlobalLogSource = { head: () => Promise.resolve(1n), readPage: () => Promise.reject(new Error('relation "events" does not exist')) };
    const errors: unknown[] = [];
    const subscription = new CatchUpSubscription(source, () => undefined, { onError: (error) => errors.push(error), pollIntervalMs: 20, pageSize: 10 });
    await until(() => errors.length > 0);
    expect(errors).toEqual([new Error('relation "events" does not exist')]);
    await subscription.close();
  });
});

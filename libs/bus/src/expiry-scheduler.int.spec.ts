import { randomUUID } from 'node:crypto';
import type { Clock, EventStore } from '@approvals/application';
import { ExpiryScheduler } from '@approvals/application';
import type { ApprovalRequested } from '@approvals/domain';
import { toActionStreamId } from '@approvals/domain';
import { openSqliteLedger, type SqliteLedger } from '@approvals/ledger-sqlite';

/** A clock the test moves by hand. */
class ManualClock implements Clock {
  constructor(private current: number) {}

  now(): Date {
    return new Date(this.current);
  }

  set(at: number): void {
    this.current = at;
  }
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

async function waitFor(condition: () => boolean, what: string, timeoutMs = 2000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(1);
  }
}

function deferred() {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

const t0 = Date.parse('2026-03-01T12:00:00.000Z');
const minutes = (n: number) => n * 60_000;

async function requestApproval(store: EventStore, actionId: string, expiresAt: number): Promise<void> {
  const data: ApprovalRequested['data'] = {
    actionId,
    requirement: { steps: [{ group: 'sre', minApprovals: 1 }], ttlSeconds: 900, denyEndsRequest: true },
    requestedAt: new Date(expiresAt - minutes(15)).toISOString(),
    expiresAt: new Date(expiresAt).toISOString(),
  };
  await store.appendToStream(toActionStreamId(actionId), [{ eventId: randomUUID(), type: 'ApprovalRequested', data, metadata: { actionId } }]);
}

async function record(store: EventStore, actionId: string, type: string): Promise<void> {
  await store.appendToStream(toActionStreamId(actionId), [{ eventId: randomUUID(), type, data: { actionId }, metadata: { actionId } }]);
}

describe('ExpiryScheduler over the embedded ledger', () => {
  let ledger: SqliteLedger;
  let clock: ManualClock;
  let expired: string[];
  let errors: unknown[];
  let scheduler: ExpiryScheduler | undefined;

  /** Only the test's tick() calls fire expiries: the scheduler's own timer is an hour away. */
  const startScheduler = async (expire: (actionId: string) => Promise<void> = async (actionId) => void expired.push(actionId)) => {
    scheduler = new ExpiryScheduler(ledger.events, clock, expire, (error) => errors.push(error), minutes(60));
    await scheduler.start();
    return scheduler;
  };

  beforeEach(() => {
    ledger = openSqliteLedger({ file: ':memory:' });
    clock = new ManualClock(t0);
    expired = [];
    errors = [];
    scheduler = undefined;
  });

  afterEach(async () => {
    await scheduler?.stop();
    await ledger.close();
  });

  it('expires at start-up a request whose deadline passed while the service was down', async () => {
    // given an approval request that expired a minute before the scheduler starts, and one still open
    await requestApproval(ledger.events, 'missed', t0 - minutes(1));
    await requestApproval(ledger.events, 'open', t0 + minutes(10));

    // when the scheduler starts
    const started = await startScheduler();

    // then the missed deadline is expired before start() returns, and only that one
    expect(expired).toEqual(['missed']);
    expect(started.pending()).toBe(1);
  });

  it('expires a future request only once the clock reaches its deadline, and only once', async () => {
    // given a running scheduler, and an approval request made while it runs
    const started = await startScheduler();
    const deadline = t0 + minutes(15);
    await requestApproval(ledger.events, 'act-1', deadline);
    await waitFor(() => started.pending() === 1, 'the scheduler to see the request');

    // when time passes up to a millisecond before the deadline
    await started.tick();
    clock.set(deadline - 1);
    await started.tick();

    // then nothing expires
    expect(expired).toEqual([]);

    // when the clock reaches the deadline exactly (votes at the deadline are already late)
    clock.set(deadline);
    await started.tick();

    // then it expires
    expect(expired).toEqual(['act-1']);
    expect(started.pending()).toBe(0);

    // and later ticks do not expire it again
    clock.set(deadline + minutes(5));
    await started.tick();
    expect(expired).toEqual(['act-1']);
  });

  it.each(['ActionApproved', 'ActionDenied', 'ActionCancelled', 'ActionExpired'])(
    'never expires an action that reached a final outcome (%s), whether before start-up or while running',
    async (outcome) => {
      // given an action decided before the scheduler starts
      await requestApproval(ledger.events, 'decided-before', t0 + minutes(5));
      await record(ledger.events, 'decided-before', outcome);
      const started = await startScheduler();
      // and one decided while it runs
      await requestApproval(ledger.events, 'decided-while-running', t0 + minutes(5));
      await waitFor(() => started.pending() === 1, 'the scheduler to see the second request');
      await record(ledger.events, 'decided-while-running', outcome);
      await waitFor(() => started.pending() === 0, 'the scheduler to see the outcome');

      // when both deadlines pass
      clock.set(t0 + minutes(60));
      await started.tick();

      // then neither expires
      expect(expired).toEqual([]);
    },
  );

  it('reports a failing expiry and retries it on the next tick until it succeeds', async () => {
    // given an expiry that fails twice (the ledger or the decision service being unavailable)
    const failure = new Error('ledger unavailable');
    let calls = 0;
    await requestApproval(ledger.events, 'act-1', t0 - minutes(1));

    // when the scheduler starts, then ticks twice
    const started = await startScheduler(async (actionId) => {
      calls += 1;
      if (calls <= 2) throw failure;
      expired.push(actionId);
    });
    expect(errors).toEqual([failure]);
    expect(started.pending()).toBe(1);
    await started.tick();
    await started.tick();
    await started.tick();

    // then each failure was reported, the action stayed due until expired, and it is not retried after success
    expect(errors).toEqual([failure, failure]);
    expect(calls).toBe(3);
    expect(expired).toEqual(['act-1']);
    expect(started.pending()).toBe(0);
  });

  it('still expires the other due actions when one expiry fails', async () => {
    // given two overdue requests, the first of which cannot be expired right now
    await requestApproval(ledger.events, 'failing', t0 - minutes(2));
    await requestApproval(ledger.events, 'fine', t0 - minutes(1));
    const failure = new Error('conflict');

    // when the scheduler starts
    const started = await startScheduler(async (actionId) => {
      if (actionId === 'failing') throw failure;
      expired.push(actionId);
    });

    // then the failure is reported and the other one expired in the same pass
    expect(errors).toEqual([failure]);
    expect(expired).toEqual(['fine']);
    expect(started.pending()).toBe(1);
  });

  it('does not fire an expiry twice when ticks overlap', async () => {
    // given an expiry that takes a while
    const release = deferred();
    const calls: string[] = [];
    await requestApproval(ledger.events, 'act-1', t0 + minutes(1));
    const started = await startScheduler(async (actionId) => {
      calls.push(actionId);
      await release.promise;
    });
    clock.set(t0 + minutes(2));

    // when a second tick comes while the first is still expiring
    const first = started.tick();
    const second = started.tick();
    release.resolve();
    await Promise.all([first, second]);

    // then the action was expired once
    expect(calls).toEqual(['act-1']);
  });

  it('follows the ledger again after its subscription fails, and misses nothing written meanwhile', async () => {
    // given a store whose first subscription fails once it caught up (say, "too many clients")
    let subscriptions = 0;
    const flaky: EventStore = Object.assign(Object.create(ledger.events) as EventStore, {
      subscribeToAll: (...[handler, options]: Parameters<EventStore['subscribeToAll']>) => {
        subscriptions += 1;
        const real = ledger.events.subscribeToAll(handler, options);
        if (subscriptions === 1) {
          void real.caughtUp.then(async () => {
            await real.close();
            options?.onError?.(new Error('sorry, too many clients already'));
          });
        }
        return real;
      },
    });
    await requestApproval(ledger.events, 'before', t0 + minutes(5));
    scheduler = new ExpiryScheduler(flaky, clock, async (actionId) => void expired.push(actionId), (error) => errors.push(error), 5);
    await scheduler.start();
    await waitFor(() => errors.length === 1, 'the subscription to fail');

    // when a request is made after the failure
    await requestApproval(ledger.events, 'after', t0 + minutes(5));
    clock.set(t0 + minutes(6));

    // then the scheduler subscribed again, from where it was, and expires both, once each
    await waitFor(() => expired.length === 2, 'both expiries', 5000);
    expect(expired.sort()).toEqual(['after', 'before']);
    expect(subscriptions).toBe(2);
  });

  it('fires expiries on its own timer', async () => {
    // given a scheduler ticking every 5 ms and a request due in one minute
    scheduler = new ExpiryScheduler(ledger.events, clock, async (actionId) => void expired.push(actionId), (error) => errors.push(error), 5);
    await scheduler.start();
    await requestApproval(ledger.events, 'act-1', t0 + minutes(1));

    // when the clock passes the deadline, without anyone calling tick()
    clock.set(t0 + minutes(2));

    // then it expires
    await waitFor(() => expired.length === 1, 'the timer to fire the expiry');
    expect(expired).toEqual(['act-1']);
    expect(errors).toEqual([]);
  });

  describe('with reaction retries', () => {
    const requestAction = (actionId: string, at: number) =>
      ledger.events.appendToStream(toActionStreamId(actionId), [
        { eventId: randomUUID(), type: 'ActionRequested', data: { actionId, requestedAt: new Date(at).toISOString() }, metadata: { actionId } },
      ]);

    const startWithRetries = async (retried: string[], gaveUp: string[] = [], maxEvaluationAttempts = 10) => {
      scheduler = new ExpiryScheduler(
        ledger.events,
        clock,
        async (actionId) => void expired.push(actionId),
        (error) => errors.push(error),
        minutes(60),
        {
          afterMs: minutes(1),
          maxEvaluationAttempts,
          retry: async (actionId, trigger) => void retried.push(`${trigger} ${actionId}`),
          giveUpEvaluation: async (actionId, attempts) => void gaveUp.push(`${actionId} after ${attempts}`),
        },
      );
      await scheduler.start();
      return scheduler;
    };

    it('delivers again an ActionRequested whose evaluation never arrived, until it does', async () => {
      // given an action requested at t0 whose evaluation was lost, and one that was evaluated
      const retried: string[] = [];
      await requestAction('lost', t0);
      await requestAction('evaluated', t0);
      await record(ledger.events, 'evaluated', 'PolicyEvaluated');
      const started = await startWithRetries(retried);

      // when less than the retry delay passed, nothing is delivered again
      clock.set(t0 + minutes(0.5));
      await started.tick();
      expect(retried).toEqual([]);

      // then after it, the lost one is delivered again; and again a delay later
      clock.set(t0 + minutes(1));
      await started.tick();
      await started.tick();
      expect(retried).toEqual(['ActionRequested lost']);
      clock.set(t0 + minutes(2));
      await started.tick();
      expect(retried).toEqual(['ActionRequested lost', 'ActionRequested lost']);

      // and once its evaluation is recorded, never again
      await record(ledger.events, 'lost', 'PolicyEvaluated');
      await sleep(20);
      clock.set(t0 + minutes(5));
      await started.tick();
      expect(retried).toEqual(['ActionRequested lost', 'ActionRequested lost']);
      expect(errors).toEqual([]);
    });

    it('gives up on an evaluation after the last attempt, so the action can expire instead of waiting forever', async () => {
      const retried: string[] = [];
      const gaveUp: string[] = [];
      await requestAction('stuck', t0);
      const started = await startWithRetries(retried, gaveUp, 3);
      for (let minute = 1; minute <= 5; minute += 1) {
        clock.set(t0 + minutes(minute));
        await started.tick();
      }
      expect(retried).toEqual(['ActionRequested stuck', 'ActionRequested stuck']);
      expect(gaveUp).toEqual(['stuck after 3']);
    });

    it('delivers again an ApprovalRequested nobody was notified of, until ApprovalNotified is recorded', async () => {
      const retried: string[] = [];
      await requestApproval(ledger.events, 'quiet', t0 + minutes(15));
      const started = await startWithRetries(retried);
      clock.set(t0 + minutes(1));
      await started.tick();
      expect(retried).toEqual(['ApprovalRequested quiet']);
      await record(ledger.events, 'quiet', 'ApprovalNotified');
      await sleep(20);
      clock.set(t0 + minutes(3));
      await started.tick();
      expect(retried).toEqual(['ApprovalRequested quiet']);
    });

    it('keeps firing expiries on its timer while a redelivery waits for a bus that is away', async () => {
      // given a scheduler ticking every 5 ms whose redeliveries never finish (the broker is down)
      const stuck = deferred();
      const retried: string[] = [];
      scheduler = new ExpiryScheduler(ledger.events, clock, async (actionId) => void expired.push(actionId), (error) => errors.push(error), 5, {
        afterMs: minutes(1),
        maxEvaluationAttempts: 10,
        retry: async (actionId, trigger) => {
          retried.push(`${trigger} ${actionId}`);
          await stuck.promise;
        },
        giveUpEvaluation: async () => undefined,
      });
      await requestAction('unevaluated', t0 - minutes(5));
      await requestApproval(ledger.events, 'due', t0 + minutes(10));
      await scheduler.start();
      await waitFor(() => retried.length === 1, 'the redelivery to start');

      // when the approval request's deadline passes while that redelivery still waits
      clock.set(t0 + minutes(11));

      // then it expires all the same, and the stuck redelivery was not started again meanwhile
      await waitFor(() => expired.includes('due'), 'the expiry');
      expect(retried).toEqual(['ActionRequested unevaluated']);
      stuck.resolve();
    });

    it('does not ask for reactions of an action that already has its outcome', async () => {
      const retried: string[] = [];
      await requestAction('cancelled', t0);
      await record(ledger.events, 'cancelled', 'ActionCancelled');
      const started = await startWithRetries(retried);
      clock.set(t0 + minutes(5));
      await started.tick();
      expect(retried).toEqual([]);
    });
  });
});

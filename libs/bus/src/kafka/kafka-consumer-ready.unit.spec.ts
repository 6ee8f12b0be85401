import { EventEmitter } from 'node:events';
import type { Consumer } from 'kafkajs';
import { RestartingConsumer } from './kafka-consumer-ready';

/**
 * The part of a kafkajs consumer that RestartingConsumer uses: its instrumentation events and
 * `disconnect`. A crash kafkajs will not restart from (seen in the broker-outage tests, "Failed to
 * find group coordinator" while the broker is away) cannot be caused on demand, so it is emitted here.
 */
class ConsumerDouble {
  readonly events = { GROUP_JOIN: 'group-join', FETCH: 'fetch', CRASH: 'crash' };
  readonly emitter = new EventEmitter();
  disconnected = false;

  on(event: string, listener: (event: { payload: Record<string, unknown> }) => void): () => void {
    this.emitter.on(event, listener);
    return () => this.emitter.off(event, listener);
  }

  async disconnect(): Promise<void> {
    this.disconnected = true;
  }

  joinAndFetch(): void {
    this.emitter.emit(this.events.GROUP_JOIN, { payload: {} });
    this.emitter.emit(this.events.FETCH, { payload: {} });
  }

  crash(restart: boolean): void {
    this.emitter.emit(this.events.CRASH, { payload: { error: new Error('Failed to find group coordinator'), restart } });
  }
}

describe('RestartingConsumer', () => {
  beforeEach(() => jest.useFakeTimers({ doNotFake: ['queueMicrotask', 'nextTick', 'setImmediate'] }));
  afterEach(() => jest.useRealTimers());

  const settle = () => new Promise((resolve) => setImmediate(resolve));

  it('starts a new consumer after a crash kafkajs does not restart from, pausing longer after each failed start', async () => {
    const created: ConsumerDouble[] = [];
    const crashes: number[] = [];
    let restarted = 0;
    let failStarts = 1;
    const supervised = new RestartingConsumer(
      () => {
        const consumer = new ConsumerDouble();
        created.push(consumer);
        return consumer as unknown as Consumer;
      },
      async (consumer) => {
        const double = consumer as unknown as ConsumerDouble;
        if (created.length > 1 && failStarts-- > 0) throw new Error('broker still away');
        setImmediate(() => double.joinAndFetch());
      },
      { joinTimeoutMs: 60_000, onCrash: (_error, retryInMs) => crashes.push(retryInMs), onRestarted: () => (restarted += 1) },
    );

    // given a running consumer
    await supervised.start();
    expect(supervised.current).toBe(created[0]);

    // when it crashes for good, as kafkajs sees it
    created[0]!.crash(false);
    await settle();

    // then after a second a new consumer is started; that start fails, and the next comes 2 s later
    expect(crashes).toEqual([1000]);
    await jest.advanceTimersByTimeAsync(1000);
    await settle();
    expect(created).toHaveLength(2);
    expect(created[0]!.disconnected).toBe(true);
    expect(crashes).toEqual([1000, 2000]);
    await jest.advanceTimersByTimeAsync(2000);
    await settle();
    await settle();
    expect(created).toHaveLength(3);
    expect(restarted).toBe(1);
    expect(supervised.current).toBe(created[2]);
  });

  it('leaves a crash that kafkajs restarts from to kafkajs, and never restarts after a stop', async () => {
    const created: ConsumerDouble[] = [];
    const supervised = new RestartingConsumer(
      () => {
        const consumer = new ConsumerDouble();
        created.push(consumer);
        return consumer as unknown as Consumer;
      },
      async (consumer) => void setImmediate(() => (consumer as unknown as ConsumerDouble).joinAndFetch()),
      { joinTimeoutMs: 60_000 },
    );
    await supervised.start();

    created[0]!.crash(true);
    await jest.advanceTimersByTimeAsync(5000);
    expect(created).toHaveLength(1);

    await supervised.stop();
    created[0]!.crash(false);
    await jest.advanceTimersByTimeAsync(60_000);
    expect(created).toHaveLength(1);
  });
});

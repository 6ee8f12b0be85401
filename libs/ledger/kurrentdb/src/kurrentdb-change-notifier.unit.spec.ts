import { EventEmitter } from 'node:events';
import { KurrentDbChangeNotifier, type LiveFeed } from './kurrentdb-change-notifier';

class Feed extends EventEmitter implements LiveFeed {
  unsubscribed = false;
  async unsubscribe(): Promise<void> {
    this.unsubscribed = true;
  }
}

function setUp(subscribe?: () => LiveFeed) {
  const feeds: Feed[] = [];
  const errors: unknown[] = [];
  let changes = 0;
  const notifier = new KurrentDbChangeNotifier(
    subscribe ??
      (() => {
        const feed = new Feed();
        feeds.push(feed);
        return feed;
      }),
    () => void (changes += 1),
    (error) => void errors.push(error),
    { minMs: 5, maxMs: 20 },
  );
  return { notifier, feeds, errors, changes: () => changes };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('KurrentDbChangeNotifier', () => {
  it('opens one feed and announces a change for its confirmation and each event', async () => {
    const { notifier, feeds, changes } = setUp();

    notifier.start();
    notifier.start();
    feeds[0]!.emit('confirmation');
    feeds[0]!.emit('data', {});
    feeds[0]!.emit('data', {});
    await notifier.stop();

    expect(feeds).toHaveLength(1);
    expect(changes()).toBe(3);
    expect(feeds[0]!.unsubscribed).toBe(true);
  });

  it('reports a failed feed, lets it go and reconnects with backoff, announcing a change', async () => {
    const { notifier, feeds, errors, changes } = setUp();
    const failure = new Error('server restarted');
    notifier.start();

    feeds[0]!.emit('error', failure);
    await sleep(30);

    expect(errors).toEqual([failure]);
    expect(feeds[0]!.unsubscribed).toBe(true);
    expect(feeds).toHaveLength(2);
    expect(changes()).toBe(1);
    // a late error of the released feed is swallowed, not thrown as an unhandled 'error' event
    expect(() => feeds[0]!.emit('error', new Error('late'))).not.toThrow();
    await notifier.stop();
  });

  it('reconnects after the feed closes', async () => {
    const { notifier, feeds } = setUp();
    notifier.start();

    feeds[0]!.emit('close');
    await sleep(30);
    await notifier.stop();

    expect(feeds).toHaveLength(2);
  });

  it('keeps trying when subscribing itself throws', async () => {
    let attempts = 0;
    const { notifier, errors } = setUp(() => {
      attempts += 1;
      if (attempts < 3) throw new Error('not yet');
      return new Feed();
    });

    notifier.start();
    await sleep(60);
    await notifier.stop();

    expect(attempts).toBe(3);
    expect(errors).toHaveLength(2);
  });

  it('stays stopped', async () => {
    const { notifier, feeds } = setUp();
    notifier.start();
    const feed = feeds[0]!;

    await notifier.stop();
    feed.emit('error', new Error('after stop'));
    notifier.start();
    await sleep(20);

    expect(feeds).toHaveLength(1);
  });
});

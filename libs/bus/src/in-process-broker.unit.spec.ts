import { StoreUnavailableError } from '@approvals/application';
import { Commands, InvalidMessageError, Topics } from '@approvals/contracts';
import { InProcessBroker, type InProcessDispatcher } from './in-process-broker';

type Handler = (data: unknown) => Promise<unknown> | unknown;

/** A transport double: one handler per pattern, called as the NestJS server would call it. */
function dispatcherFor(handlers: Record<string, Handler>): InProcessDispatcher {
  return {
    hasHandler: (pattern) => pattern in handlers,
    dispatch: async (pattern, data) => handlers[pattern]!(data),
  };
}

function deferred<T = void>() {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Lets every pending callback run (timers of 0 ms included), without waiting for real time. */
const settle = () => new Promise<void>((resolve) => setImmediate(resolve));

/** Fails instead of hanging when `promise` never settles: a deadlock shows up as a clear error. */
async function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not happen within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

function isSettled(promise: Promise<unknown>): () => boolean {
  let settled = false;
  promise.then(
    () => (settled = true),
    () => (settled = true),
  );
  return () => settled;
}

const topic = Topics.ledgerEvents;

describe('InProcessBroker', () => {
  describe('ordering', () => {
    it('hands the messages of one key to the handler one at a time, in publish order, whatever each one takes', async () => {
      // given a handler whose duration varies per message, and that notes overlapping calls per key
      const seen = new Map<string, number[]>();
      const busy = new Set<string>();
      const overlaps: string[] = [];
      const broker = new InProcessBroker();
      broker.attach(
        dispatcherFor({
          [topic]: async (data) => {
            const { key, seq } = data as { key: string; seq: number };
            if (busy.has(key)) overlaps.push(`${key}#${seq}`);
            busy.add(key);
            await sleep((seq * 7) % 4);
            seen.set(key, [...(seen.get(key) ?? []), seq]);
            busy.delete(key);
          },
        }),
      );
      const keys = ['action-a', 'action-b', 'action-c', 'action-d'];

      // when 4 keys x 25 messages are published at once, interleaved
      const published: Promise<void>[] = [];
      for (let seq = 0; seq < 25; seq += 1) for (const key of keys) published.push(broker.publish(topic, key, { key, seq }));
      await Promise.all(published);

      // then each key saw its messages exactly once, in order, never two at a time
      const inOrder = Array.from({ length: 25 }, (_, i) => i);
      for (const key of keys) expect(seen.get(key)).toEqual(inOrder);
      expect(overlaps).toEqual([]);
    });

    it('lets another partition proceed while a slow message holds its own partition', async () => {
      // given a handler for key "a" that only finishes once a message of key "b" has been handled
      // ("a" and "b" hash to different partitions of the 6 of this topic)
      const bHandled = deferred();
      const handled: string[] = [];
      const broker = new InProcessBroker();
      broker.attach(
        dispatcherFor({
          [topic]: async (data) => {
            const { key } = data as { key: string };
            if (key === 'a') await bHandled.promise;
            handled.push(key);
            if (key === 'b') bHandled.resolve();
          },
        }),
      );

      // when "a" is published first and "b" right after
      const a = broker.publish(topic, 'a', { key: 'a' });
      const b = broker.publish(topic, 'b', { key: 'b' });

      // then "b" is not queued behind "a" (if it were, this would deadlock)
      await within(Promise.all([a, b]), 1000, 'delivery of both partitions');
      expect(handled).toEqual(['b', 'a']);
    });
  });

  describe('attaching the transport', () => {
    it('holds messages published before attach() and delivers them, in order, once the transport attaches', async () => {
      // given a broker with no transport yet
      const broker = new InProcessBroker();
      const handled: unknown[] = [];
      const first = broker.publish(topic, 'k', { n: 1 });
      const second = broker.publish(topic, 'k', { n: 2 });
      const reply = broker.send(Commands.castVote, { vote: 1 });
      await settle();
      const firstSettled = isSettled(first);
      const replySettled = isSettled(reply);
      await settle();
      expect(firstSettled()).toBe(false);
      expect(replySettled()).toBe(false);

      // when the transport attaches
      broker.attach(
        dispatcherFor({
          [topic]: (data) => void handled.push(data),
          [Commands.castVote]: () => ({ ok: true, actionId: 'x', status: 'PENDING' }),
        }),
      );

      // then the waiting messages and the command are delivered
      await Promise.all([first, second]);
      expect(handled).toEqual([{ n: 1 }, { n: 2 }]);
      await expect(reply).resolves.toEqual({ ok: true, actionId: 'x', status: 'PENDING' });
    });

    it('resolves a publish to a topic nobody subscribes to without delivering it', async () => {
      // given a transport with handlers for another topic only
      const broker = new InProcessBroker();
      const handled: unknown[] = [];
      broker.attach(dispatcherFor({ [Topics.policyEvaluations]: (data) => void handled.push(data) }));

      // when / then
      await expect(broker.publish(topic, 'k', { n: 1 })).resolves.toBeUndefined();
      expect(handled).toEqual([]);
      expect(broker.deadLetters).toEqual([]);
    });
  });

  describe('failures', () => {
    it('retries a failing message with doubling delays until it succeeds, delivering it once successfully', async () => {
      // given a handler that fails twice, then succeeds
      const errors: { message: string; attempt: number }[] = [];
      const broker = new InProcessBroker({
        maxAttempts: 5,
        retryDelayMs: 20,
        onError: (error, { attempt }) => errors.push({ message: (error as Error).message, attempt }),
      });
      const attemptsAt: number[] = [];
      broker.attach(
        dispatcherFor({
          [topic]: () => {
            attemptsAt.push(performance.now());
            if (attemptsAt.length <= 2) throw new Error(`boom ${attemptsAt.length}`);
          },
        }),
      );

      // when a message is published
      await broker.publish(topic, 'k', { n: 1 });

      // then it took three attempts, 20 ms then 40 ms apart (timers may fire up to 1 ms early)
      expect(attemptsAt).toHaveLength(3);
      expect(attemptsAt[1]! - attemptsAt[0]!).toBeGreaterThanOrEqual(19);
      expect(attemptsAt[2]! - attemptsAt[1]!).toBeGreaterThanOrEqual(39);
      expect(errors).toEqual([
        { message: 'boom 1', attempt: 1 },
        { message: 'boom 2', attempt: 2 },
      ]);
      expect(broker.deadLetters).toEqual([]);
    });

    it('waits for an unavailable store past the attempt budget instead of dead-lettering, in order', async () => {
      // given a handler whose store is unreachable for the first 5 tries, and a broker allowing 3 attempts
      const broker = new InProcessBroker({ maxAttempts: 3, retryDelayMs: 1 });
      const handled: string[] = [];
      let outage = 5;
      broker.attach(
        dispatcherFor({
          [topic]: (data) => {
            const { id } = data as { id: string };
            if (id === 'first' && outage-- > 0) throw new StoreUnavailableError('the ledger cannot be reached');
            handled.push(id);
          },
        }),
      );

      // when two messages are published on the same key
      await within(Promise.all([broker.publish(topic, 'k', { id: 'first' }), broker.publish(topic, 'k', { id: 'second' })]), 5000, 'both deliveries');

      // then the first one waited for the store and was handled, then the second; nothing was set aside
      expect(handled).toEqual(['first', 'second']);
      expect(broker.deadLetters).toEqual([]);
    });

    it('dead-letters a message that keeps failing, and later messages of its partition still flow', async () => {
      // given a handler that always fails on "poison" and a broker allowing 3 attempts
      const attempts: number[] = [];
      const broker = new InProcessBroker({ maxAttempts: 3, retryDelayMs: 1, onError: (_error, { attempt }) => attempts.push(attempt) });
      const handled: string[] = [];
      broker.attach(
        dispatcherFor({
          [topic]: (data) => {
            const { id } = data as { id: string };
            if (id === 'poison') throw new Error('cannot handle poison');
            handled.push(id);
          },
        }),
      );

      // when the poison message and then two good ones are published on the same key
      const results = await Promise.allSettled([
        broker.publish(topic, 'k', { id: 'poison' }),
        broker.publish(topic, 'k', { id: 'after-1' }),
        broker.publish(topic, 'k', { id: 'after-2' }),
      ]);

      // then the poison message is set aside with its error and attempt count, and the partition goes on
      expect(results.map((r) => r.status)).toEqual(['fulfilled', 'fulfilled', 'fulfilled']);
      expect(attempts).toEqual([1, 2, 3]);
      expect(broker.deadLetters).toEqual([
        { topic, key: 'k', message: { id: 'poison' }, error: 'cannot handle poison', attempts: 3, at: expect.any(String) },
      ]);
      expect(Number.isNaN(Date.parse(broker.deadLetters[0]!.at))).toBe(false);
      expect(handled).toEqual(['after-1', 'after-2']);
    });
  });

  describe('messages travel as JSON', () => {
    it('gives the handler its own copy: neither side sees the other one mutate the message', async () => {
      // given a handler that mutates what it receives
      const publisherObject = { data: { tags: ['a'] }, at: new Date('2026-01-02T03:04:05.000Z'), dropped: undefined };
      const received = deferred<unknown>();
      const broker = new InProcessBroker();
      broker.attach(
        dispatcherFor({
          [topic]: (data) => {
            (data as { data: { tags: string[] } }).data.tags.push('mutated by the handler');
            received.resolve(data);
          },
        }),
      );

      // when the publisher also mutates its object right after publishing
      const published = broker.publish(topic, 'k', publisherObject);
      publisherObject.data.tags.push('mutated by the publisher');
      await published;

      // then each side only sees its own change, and the handler got the JSON form (Date -> ISO string, undefined dropped)
      expect(publisherObject.data.tags).toEqual(['a', 'mutated by the publisher']);
      expect(await received.promise).toEqual({ data: { tags: ['a', 'mutated by the handler'] }, at: '2026-01-02T03:04:05.000Z' });
    });

    it.each([
      ['a bigint', { position: 1n }],
      ['undefined', undefined],
    ])('rejects the returned promise (no synchronous throw) with a TypeError for a message JSON cannot carry: %s', async (_, message) => {
      // given
      const handled: unknown[] = [];
      const broker = new InProcessBroker();
      broker.attach(dispatcherFor({ [topic]: (data) => void handled.push(data) }));

      // when
      let publishing: Promise<void> | undefined;
      const publish = () => (publishing = broker.publish(topic, 'k', message));

      // then the handler never sees it, and the partition is unaffected
      expect(publish).not.toThrow();
      await expect(publishing).rejects.toThrow(TypeError);
      await broker.publish(topic, 'k', { position: '1' });
      expect(handled).toEqual([{ position: '1' }]);
      expect(broker.deadLetters).toEqual([]);
    });
  });

  describe('send (commands)', () => {
    it('returns the reply parsed with the CommandReply schema, with the command as JSON', async () => {
      // given a command handler that answers with an extra field
      let received: unknown;
      const broker = new InProcessBroker();
      broker.attach(
        dispatcherFor({
          [Commands.castVote]: async (data) => {
            received = data;
            return { ok: true, actionId: 'act-1', status: 'PENDING', internal: 'not part of the contract' };
          },
        }),
      );
      const command = { type: 'CastVote', data: { at: new Date('2026-01-02T00:00:00.000Z') } };

      // when
      const reply = await broker.send(Commands.castVote, command);

      // then the handler got a JSON copy and the caller only the contract's fields
      expect(received).toEqual({ type: 'CastVote', data: { at: '2026-01-02T00:00:00.000Z' } });
      expect(received).not.toBe(command);
      expect(reply).toEqual({ ok: true, actionId: 'act-1', status: 'PENDING' });
    });

    it('rejects a reply that does not match the CommandReply schema, naming the bad field', async () => {
      // given a handler that forgets the action id
      const broker = new InProcessBroker();
      broker.attach(dispatcherFor({ [Commands.castVote]: () => ({ ok: true, status: 'PENDING' }) }));

      // when
      const sending = broker.send(Commands.castVote, {});

      // then
      await expect(sending).rejects.toThrow(InvalidMessageError);
      await expect(sending).rejects.toThrow(`reply to ${Commands.castVote}: actionId:`);
    });

    it('rejects a command that has no handler', async () => {
      const broker = new InProcessBroker();
      broker.attach(dispatcherFor({}));

      await expect(broker.send(Commands.cancelAction, {})).rejects.toThrow(`no handler for command ${Commands.cancelAction}`);
    });
  });

  describe('drain', () => {
    it('waits for in-flight messages, including those published by handlers while draining', async () => {
      // given a message held by a gate, whose handler then publishes a follow-up held by a second gate
      const firstGate = deferred();
      const followUpGate = deferred();
      const handled: string[] = [];
      const broker = new InProcessBroker();
      broker.attach(
        dispatcherFor({
          [topic]: async (data) => {
            const { id } = data as { id: string };
            if (id === 'first') {
              await firstGate.promise;
              void broker.publish(topic, 'other-key', { id: 'follow-up' });
            } else {
              await followUpGate.promise;
            }
            handled.push(id);
          },
        }),
      );
      void broker.publish(topic, 'k', { id: 'first' });

      // when draining
      const drained = broker.drain();
      const isDrained = isSettled(drained);
      await settle();

      // then drain waits for the first message...
      expect(isDrained()).toBe(false);
      firstGate.resolve();
      while (handled.length === 0) await settle();
      await settle();
      // ...and for the follow-up published meanwhile
      expect(handled).toEqual(['first']);
      expect(isDrained()).toBe(false);
      followUpGate.resolve();
      await drained;
      expect(handled).toEqual(['first', 'follow-up']);
    });

    it('returns at once when nothing is in flight', async () => {
      const broker = new InProcessBroker();
      broker.attach(dispatcherFor({}));

      await expect(within(broker.drain(), 100, 'drain of an idle broker')).resolves.toBeUndefined();
    });
  });
});

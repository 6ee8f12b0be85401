import type { Consumer } from 'kafkajs';

/**
 * Resolves once the consumer has joined its group and completed a fetch: from then on its
 * positions are fixed, so a group that starts at the newest offsets misses nothing sent later.
 * Call it before `connect()` so no event is missed.
 */
export function untilJoinedAndFetching(consumer: Consumer, timeoutMs: number): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    let joined = false;
    const timer = setTimeout(() => {
      cleanup();
      reject(new Error(`the Kafka consumer did not join its group within ${timeoutMs} ms; is the broker reachable?`));
    }, timeoutMs);
    const removers = [
      consumer.on(consumer.events.GROUP_JOIN, () => (joined = true)),
      consumer.on(consumer.events.FETCH, () => {
        if (!joined) return;
        cleanup();
        resolve();
      }),
      consumer.on(consumer.events.CRASH, (event) => {
        if (event.payload.restart) return;
        cleanup();
        reject(event.payload.error);
      }),
    ];
    const cleanup = () => {
      clearTimeout(timer);
      for (const remove of removers) remove();
    };
  });
}

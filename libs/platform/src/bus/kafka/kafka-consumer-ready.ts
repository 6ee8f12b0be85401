import type { Consumer } from 'kafkajs';

/**
 * Runs a consumer's start-up (`connect`, `subscribe`, `run`) and resolves once it has joined its
 * group and completed a fetch: from then on its positions are fixed, so a group that starts at the
 * newest offsets misses nothing sent later. Rejects when the start-up fails or the fetch does not
 * come within `timeoutMs`; either way nothing is left behind (no timer, no listener, no promise
 * that could reject unobserved).
 */
export async function startUntilFetching(consumer: Consumer, timeoutMs: number, start: () => Promise<void>): Promise<void> {
  let cleanup = (): void => undefined;
  const fetching = new Promise<void>((resolve, reject) => {
    let joined = false;
    const timer = setTimeout(
      () => reject(new Error(`the Kafka consumer did not join its group within ${timeoutMs} ms; is the broker reachable?`)),
      timeoutMs,
    );
    const removers = [
      consumer.on(consumer.events.GROUP_JOIN, () => (joined = true)),
      consumer.on(consumer.events.FETCH, () => {
        if (joined) resolve();
      }),
      consumer.on(consumer.events.CRASH, (event) => {
        if (!event.payload.restart) reject(event.payload.error);
      }),
    ];
    cleanup = () => {
      clearTimeout(timer);
      for (const remove of removers) remove();
    };
  });
  try {
    // Listening first, so no event of the start-up is missed.
    await Promise.all([start(), fetching]);
  } finally {
    cleanup();
  }
}

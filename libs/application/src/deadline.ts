/**
 * Runs `work` under one deadline for the whole of it: after `ms` the result rejects with
 * `expired()` and `work`'s signal aborts (with the same error), so it can withdraw what it has
 * not done yet. The timer is armed together with the work and cleared with it, and a failure of
 * `work` after the deadline is handled here: nothing is ever left to reject unobserved.
 */
export async function withDeadline<T>(ms: number, expired: () => Error, work: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const controller = new AbortController();
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timedOut = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      const error = expired();
      controller.abort(error);
      reject(error);
    }, ms);
  });
  try {
    return await Promise.race([work(controller.signal), timedOut]);
  } finally {
    clearTimeout(timer);
  }
}

import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { CheckedSegment } from '@approvals/application';
import { segmentChecker } from './sqlite-raw-events';

/** How `approvals audit verify` spreads an embedded ledger over threads. */
export interface VerifyThreadsOptions {
  /** Worker threads (default: the cores available, at most 4). */
  threads?: number;
  /** Events per segment handed to a thread (default 32,768). */
  segmentSize?: number;
  /** Fewer events than this are checked on the calling thread (default: two segments). */
  minEvents?: number;
}

/** Between the verifier and its threads. */
export interface SegmentTask {
  id: number;
  after: bigint;
  upTo: bigint;
}
export type SegmentReply = { id: number; segment: CheckedSegment } | { id: number; error: string };
export interface VerifyThreadData {
  file: string;
  densePositions: boolean;
}

const entry = join(__dirname, 'sqlite-verify-threads.main.js');

export const defaultVerifyThreads = (): number => Math.min(availableParallelism(), 4);

/**
 * The `segments` source of verifyLedger for the embedded ledger: the events at positions
 * (after, head] in segments, each read from the file and checked (hashes, links, leaf hashes) by one
 * of a few worker threads with their own read-only connection, and handed back in order. A few
 * segments per thread are in flight at most, so memory stays bounded on any ledger size.
 *
 * Undefined (check on the calling thread) for a small range, with no thread, or when the compiled
 * thread entry is missing (the sources run under a TypeScript loader, as in unit tests).
 */
export function sqliteSegments(file: string, options: VerifyThreadsOptions = {}) {
  const threads = options.threads ?? defaultVerifyThreads();
  const segmentSize = BigInt(options.segmentSize ?? 32_768);
  const minEvents = BigInt(options.minEvents ?? 2 * Number(segmentSize));
  return (after: bigint, head: bigint, densePositions: boolean): AsyncIterable<CheckedSegment> | undefined => {
    if (threads < 1 || head - after < minEvents || !existsSync(entry)) return undefined;
    const tasks: SegmentTask[] = [];
    for (let from = after, id = 0; from < head; from += segmentSize, id += 1) tasks.push({ id, after: from, upTo: from + segmentSize < head ? from + segmentSize : head });
    return inThreads(tasks, Math.min(threads, tasks.length), { file, densePositions });
  };
}

async function* inThreads(tasks: readonly SegmentTask[], threads: number, data: VerifyThreadData): AsyncGenerator<CheckedSegment> {
  const waiting = new Map<number, { resolve: (segment: CheckedSegment) => void; reject: (error: Error) => void }>();
  const failAll = (error: Error) => {
    for (const waiter of waiting.values()) waiter.reject(error);
    waiting.clear();
  };
  let closing = false;
  const workers = Array.from({ length: threads }, () => {
    const worker = new Worker(entry, { workerData: data, resourceLimits: { maxYoungGenerationSizeMb: 48 } });
    worker.on('message', (reply: SegmentReply) => {
      const waiter = waiting.get(reply.id);
      waiting.delete(reply.id);
      if ('error' in reply) waiter?.reject(new Error(`verifying a segment of the ledger failed: ${reply.error}`));
      else waiter?.resolve(reply.segment);
    });
    worker.on('error', (error) => failAll(error));
    worker.on('exit', (code) => {
      if (!closing) failAll(new Error(`a verification thread exited (${code})`));
    });
    return worker;
  });
  // Segments checked or being checked, by task id; `taken` counts the tasks handed out so far.
  const results: (CheckedSegment | Promise<CheckedSegment> | undefined)[] = [];
  let taken = 0;
  let nextWorker = 0;
  const toThread = () => {
    const task = tasks[taken++]!;
    const result = new Promise<CheckedSegment>((resolve, reject) => waiting.set(task.id, { resolve, reject }));
    result.catch(() => undefined); // awaited in order below; a failure after an early stop is moot
    results[task.id] = result;
    workers[nextWorker++ % threads]!.postMessage(task);
  };
  const here = segmentChecker(data.file);
  try {
    // At most this many segments are handed out and not yet merged, so memory stays bounded.
    const window = 2 * threads + 1;
    for (let next = 0; next < tasks.length; next += 1) {
      while (taken < tasks.length && taken < next + window && waiting.size < 2 * threads) toThread();
      // While the next segment in order is not back yet, this thread checks one further on itself
      // (the threads take a few hundred milliseconds to start, and this one would only wait).
      while (results[next] === undefined || (waiting.has(next) && taken < tasks.length && taken < next + window)) {
        const task = tasks[taken++]!;
        results[task.id] = here.check(task.after, task.upTo, data.densePositions);
        await new Promise<void>((resolve) => setImmediate(resolve)); // take the replies that came meanwhile
      }
      const segment = await results[next]!;
      results[next] = undefined; // let the merged segment go
      yield segment;
    }
  } finally {
    closing = true;
    here.close();
    await Promise.all(workers.map((worker) => worker.terminate()));
  }
}

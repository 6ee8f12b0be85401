import { basename } from 'node:path';
import { Worker } from 'node:worker_threads';
import { observeGauge } from '@approvals/telemetry';

// Runs in a worker thread with its own connections, so checkpoints never block the event loop.
// Every `intervalMs` (50 ms by default), each log gets a PASSIVE checkpoint: it copies what it can
// without waiting for anyone, and done this often it leaves little behind and lets a log with a
// quiet moment start over by itself. A log that still holds `truncateAtBytes` or more then gets a
// TRUNCATE checkpoint: that waits at most `truncateWaitMs` for readers to leave the log and writers
// to finish (new writers wait for it meanwhile), copies the little that is left and cuts the file
// to zero. Under steady writes a PASSIVE checkpoint from another connection never finds the log
// empty of writers, so without the TRUNCATE the log grows for ever.
const workerSource = `
const { parentPort, workerData } = require('node:worker_threads');
const { DatabaseSync } = require('node:sqlite');
const { statSync } = require('node:fs');
const { files, intervalMs, truncateAtBytes, truncateWaitMs } = workerData;
const connections = new Map();
const walBytes = (file) => {
  try {
    return statSync(file + '-wal').size;
  } catch {
    return 0;
  }
};
const connection = (file) => {
  let c = connections.get(file);
  if (!c) {
    const db = new DatabaseSync(file, { timeout: truncateWaitMs });
    c = { db, passive: db.prepare('PRAGMA wal_checkpoint(PASSIVE)'), truncate: db.prepare('PRAGMA wal_checkpoint(TRUNCATE)') };
    connections.set(file, c);
  }
  return c;
};
const busy = (error) => /locked|busy/i.test(String((error && error.message) || error));
// A truncation that found readers still in the log is tried again after a pause that doubles with
// each failure in a row (from intervalMs, at most 30 s): each try holds writers back for up to
// truncateWaitMs, and a reader that stays (a stuck query) must not make that most of the time.
const backoff = new Map();
// What was last told about each file: only changes are posted.
const told = new Map();
const checkpoint = (file) => {
  try {
    const c = connection(file);
    c.passive.get();
    let size = walBytes(file);
    let truncated = false;
    let blocked = false;
    const pause = backoff.get(file);
    if (size >= truncateAtBytes && (!pause || Date.now() >= pause.until)) {
      try {
        blocked = c.truncate.get().busy !== 0;
      } catch (error) {
        if (!busy(error)) throw error;
        blocked = true;
      }
      truncated = !blocked;
      if (blocked) {
        const ms = Math.min(pause ? pause.ms * 2 : intervalMs, 30000);
        backoff.set(file, { ms, until: Date.now() + ms });
      } else backoff.delete(file);
      size = walBytes(file);
    }
    if (told.get(file) === size && !truncated && !blocked) return;
    told.set(file, size);
    parentPort.postMessage({ type: 'status', file, walBytes: size, truncated, blocked });
  } catch (error) {
    parentPort.postMessage({ type: 'error', file, error: String((error && error.message) || error) });
  }
};
const every = () => files.forEach(checkpoint);
const timer = setInterval(every, intervalMs);
parentPort.on('message', (message) => {
  if (message === 'stop') {
    clearInterval(timer);
    every();
    for (const c of connections.values()) c.db.close();
    parentPort.postMessage({ type: 'stopped' });
  }
});
`;

type WorkerMessage =
  | { type: 'status'; file: string; walBytes: number; truncated: boolean; blocked: boolean }
  | { type: 'error'; file: string; error: string }
  | { type: 'stopped' };

export interface WalCheckpointerOptions {
  /** How often to checkpoint each file (default 50 ms). */
  intervalMs?: number;
  /**
   * The bound on each write-ahead log (default 64 MiB): a log is cut to zero once it holds half of
   * it, which leaves the other half for what is written before that is done.
   */
  maxWalBytes?: number;
  /** How long a truncating checkpoint waits for readers and writers (default 100 ms; writers wait for it meanwhile). */
  truncateWaitMs?: number;
  onError?: (error: Error, file: string) => void;
  /** A log above its bound (truncating kept finding readers in it); told at most once a minute per file. */
  onOverBound?: (file: string, walBytes: number, maxWalBytes: number) => void;
}

/** What the checkpointer last saw of one file. */
export interface WalFileStatus {
  walBytes: number;
  /** Logs cut to zero since the start. */
  truncations: number;
  /** Truncating checkpoints that gave up because readers or a writer stayed in the log. */
  blocked: number;
}

/**
 * Checkpoints SQLite write-ahead logs from a worker thread, and keeps each under a bound. SQLite's
 * automatic checkpoint runs inside the commit that crosses its threshold and stalls the event
 * loop for milliseconds (it showed as a 2x worse p99 in `npm run bench`), so connections opened
 * with `autoCheckpoint: false` (see useWriteAheadLog) leave the work to this. The size of each log
 * is also reported as the gauge `approvals.sqlite.wal.size`.
 */
export class WalCheckpointer {
  private readonly status = new Map<string, WalFileStatus>();
  private readonly warnedAt = new Map<string, number>();
  private exited = false;

  private constructor(
    private readonly worker: Worker,
    private readonly maxWalBytes: number,
    private readonly options: WalCheckpointerOptions,
  ) {
    worker.once('exit', () => (this.exited = true));
    worker.on('message', (message: WorkerMessage) => this.onMessage(message));
    worker.on('error', (error) => options.onError?.(error, 'the checkpoint thread'));
  }

  static start(files: string[], options: WalCheckpointerOptions = {}): WalCheckpointer {
    const maxWalBytes = options.maxWalBytes ?? 64 * 2 ** 20;
    const worker = new Worker(workerSource, {
      eval: true,
      workerData: {
        files,
        intervalMs: options.intervalMs ?? 50,
        truncateAtBytes: Math.floor(maxWalBytes / 2),
        truncateWaitMs: options.truncateWaitMs ?? 100,
      },
    });
    worker.unref();
    const checkpointer = new WalCheckpointer(worker, maxWalBytes, options);
    observeGauge('approvals.sqlite.wal.size', { description: 'Size of a SQLite write-ahead log, as last checkpointed', unit: 'By' }, () =>
      [...checkpointer.status].map(([file, status]) => ({ value: status.walBytes, attributes: { 'approvals.sqlite.file': basename(file) } })),
    );
    return checkpointer;
  }

  /** What was last seen of a file, once it has been checkpointed. */
  statusOf(file: string): WalFileStatus | undefined {
    return this.status.get(file);
  }

  /** Runs a last checkpoint and stops the worker. */
  async stop(): Promise<void> {
    if (this.exited) return;
    await new Promise<void>((resolve) => {
      this.worker.once('exit', () => resolve());
      this.worker.on('message', (message: WorkerMessage) => {
        if (message.type === 'stopped') void this.worker.terminate().then(() => resolve(), () => resolve());
      });
      this.worker.postMessage('stop');
    });
  }

  private onMessage(message: WorkerMessage): void {
    if (message.type === 'error') {
      this.options.onError?.(new Error(`WAL checkpoint of ${message.file} failed: ${message.error}`), message.file);
      return;
    }
    if (message.type !== 'status') return;
    const status = this.status.get(message.file) ?? { walBytes: 0, truncations: 0, blocked: 0 };
    status.walBytes = message.walBytes;
    if (message.truncated) status.truncations += 1;
    if (message.blocked) status.blocked += 1;
    this.status.set(message.file, status);
    if (message.walBytes > this.maxWalBytes) {
      const now = Date.now();
      if (now - (this.warnedAt.get(message.file) ?? 0) >= 60_000) {
        this.warnedAt.set(message.file, now);
        this.options.onOverBound?.(message.file, message.walBytes, this.maxWalBytes);
      }
    }
  }
}

import { Worker } from 'node:worker_threads';

// Runs in a worker thread with its own connections: a PASSIVE checkpoint never blocks writers,
// and in a worker it never blocks the event loop either.
const workerSource = `
const { parentPort, workerData } = require('node:worker_threads');
const { DatabaseSync } = require('node:sqlite');
const connections = new Map();
const run = () => {
  for (const file of workerData.files) {
    try {
      let c = connections.get(file);
      if (!c) {
        const db = new DatabaseSync(file, { timeout: 1000 });
        c = { db, checkpoint: db.prepare('PRAGMA wal_checkpoint(PASSIVE)') };
        connections.set(file, c);
      }
      c.checkpoint.get();
    } catch (error) {
      parentPort.postMessage({ file, error: String((error && error.message) || error) });
    }
  }
};
const timer = setInterval(run, workerData.intervalMs);
parentPort.on('message', (message) => {
  if (message === 'stop') {
    clearInterval(timer);
    run();
    for (const c of connections.values()) c.db.close();
    parentPort.postMessage('stopped');
  }
});
`;

export interface WalCheckpointerOptions {
  /** How often to checkpoint each file (default 1000 ms). */
  intervalMs?: number;
  onError?: (error: Error, file: string) => void;
}

/**
 * Checkpoints SQLite write-ahead logs from a worker thread. SQLite's automatic checkpoint runs
 * inside the commit that crosses the threshold and stalls the event loop for milliseconds (it
 * showed as a 2x worse p99 in `npm run bench`), so connections opened with
 * `walAutoCheckpoint: false` leave the work to this.
 */
export class WalCheckpointer {
  private constructor(private readonly worker: Worker) {}

  static start(files: string[], options: WalCheckpointerOptions = {}): WalCheckpointer {
    const worker = new Worker(workerSource, { eval: true, workerData: { files, intervalMs: options.intervalMs ?? 1000 } });
    worker.unref();
    worker.on('message', (message: unknown) => {
      if (typeof message === 'object' && message !== null && 'error' in message) {
        const { file, error } = message as { file: string; error: string };
        options.onError?.(new Error(`WAL checkpoint of ${file} failed: ${error}`), file);
      }
    });
    worker.on('error', (error) => options.onError?.(error, files.join(', ')));
    return new WalCheckpointer(worker);
  }

  /** Runs a last checkpoint and stops the worker. */
  async stop(): Promise<void> {
    const stopped = new Promise<void>((resolve) => {
      const done = () => resolve();
      this.worker.once('exit', done);
      this.worker.on('message', (message: unknown) => message === 'stopped' && void this.worker.terminate().then(done, done));
    });
    this.worker.postMessage('stop');
    await stopped;
  }
}

import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { LedgerFinding } from '@approvals/application';
import type { LedgerSpec } from '@approvals/ledger';
import type { ReadModelSpec } from '@approvals/read-model';

export interface ProjectorThreadOptions {
  /** The ledger to follow (the thread opens its own connection to it). */
  ledger: LedgerSpec;
  /** The read model to write (the thread opens its own connection to it). */
  readModel: ReadModelSpec;
  /** How often the thread looks for new ledger events (it is not told about appends). */
  pollIntervalMs?: number;
  onError?: (message: string) => void;
  /** An event the projection found disagreeing with itself or its stream (I8). */
  onFinding?: (finding: LedgerFinding) => void;
  /** With tracing on: the thread records its spans under this service name. */
  telemetry?: { serviceName: string; mode: 'embedded' | 'distributed' } | undefined;
}

/** What the thread posts to its parent. */
export type ProjectorThreadMessage =
  | { type: 'started' }
  | { type: 'error'; message: string }
  | { type: 'finding'; finding: Omit<LedgerFinding, 'position'> & { position?: string | undefined } }
  | { type: 'stopped' };

/**
 * Runs the audit projection in a worker thread with its own connections to the ledger and the
 * read model, so projecting (about a sixth of the embedded host's work per action, measured with
 * --cpu-prof) never competes with deciding. Queries stay on the main thread, on their own
 * connection to the read model.
 */
export class ProjectorThread {
  private exited = false;

  private constructor(private readonly worker: Worker) {
    worker.once('exit', () => (this.exited = true));
  }

  static async start(options: ProjectorThreadOptions): Promise<ProjectorThread> {
    const worker = new Worker(join(__dirname, 'projector-thread.main.js'), {
      workerData: {
        ledger: options.ledger,
        readModel: options.readModel,
        pollIntervalMs: options.pollIntervalMs ?? 20,
        // The thread records its own spans, under this process's service name.
        telemetry: options.telemetry,
      },
    });
    let started = false;
    await new Promise<void>((resolve, reject) => {
      worker.on('message', (message: ProjectorThreadMessage) => {
        if (message.type === 'started') {
          started = true;
          resolve();
        } else if (message.type === 'finding') {
          const { position, ...rest } = message.finding;
          options.onFinding?.({ ...rest, ...(position !== undefined ? { position: BigInt(position) } : {}) });
        } else if (message.type === 'error') {
          if (started) options.onError?.(message.message);
          else reject(new Error(message.message));
        }
      });
      worker.on('error', (error) => (started ? options.onError?.(error.message) : reject(error)));
    }).catch(async (error: unknown) => {
      await worker.terminate();
      throw error;
    });
    return new ProjectorThread(worker);
  }

  /** Stores the event in flight, closes the thread's connections and ends it. */
  async stop(): Promise<void> {
    if (this.exited) return; // it ended on its own (its error was reported): nothing to wait for
    await new Promise<void>((resolve) => {
      this.worker.on('message', (message: ProjectorThreadMessage) => message.type === 'stopped' && resolve());
      this.worker.once('exit', () => resolve());
      this.worker.postMessage('stop');
    });
    await this.worker.terminate();
  }
}

import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { PolicyDecision, PolicyEngine } from '@approvals/application';
import type { ActionRequest } from '@approvals/domain';
import type { PolicySourceFile } from '@approvals/policy-cedar';

export interface PolicyEngineThreadOptions {
  policyDir: string;
  directoryFile: string;
}

/** What the parent is told when the thread dies on its own (it is started again; see PolicyEngineThread). */
export interface PolicyEngineThreadEvents {
  onThreadExit?: (error: Error, restarted: boolean) => void;
}

/** Messages between the thread and its parent. */
export type PolicyThreadReply =
  | { type: 'ready'; version: string; files: PolicySourceFile[] }
  | { type: 'failed'; message: string }
  | { type: 'decision'; id: number; decision: PolicyDecision }
  | { type: 'reloaded'; id: number; from: string; to: string; files: PolicySourceFile[] }
  | { type: 'error'; id: number; message: string };

/** What the parent asks of the thread. */
export type PolicyThreadRequest = { type: 'evaluate'; id: number; request: ActionRequest } | { type: 'reload'; id: number };

/** The outcome of a reload: the version before and the version now running (equal when nothing changed), and its files. */
export interface PolicyReload {
  from: string;
  to: string;
  files: PolicySourceFile[];
}

/**
 * The Cedar engine in a worker thread: evaluating is about an eighth of the embedded host's work
 * per action (measured with --cpu-prof), and here it runs beside the decision work instead of
 * before it. Loading fails the start with the same message as loading in-process.
 */
export class PolicyEngineThread implements PolicyEngine {
  private nextId = 0;
  private readonly pending = new Map<number, { resolve: (value: never) => void; reject: (e: Error) => void }>();
  private running: string;
  private runningFiles: readonly PolicySourceFile[];
  /** Set while no thread runs (it died); requests are refused with it instead of waiting for ever. */
  private down: Error | undefined;
  private stopping = false;

  private constructor(
    private worker: Worker,
    version: string,
    files: readonly PolicySourceFile[],
    private readonly options: PolicyEngineThreadOptions & PolicyEngineThreadEvents,
  ) {
    this.running = version;
    this.runningFiles = files;
    this.attach(worker);
  }

  static async start(options: PolicyEngineThreadOptions & PolicyEngineThreadEvents): Promise<PolicyEngineThread> {
    const { worker, ready } = await startWorker(options);
    return new PolicyEngineThread(worker, ready.version, ready.files, options);
  }

  private attach(worker: Worker): void {
    worker.on('message', (reply: PolicyThreadReply) => {
      if (reply.type === 'ready' || reply.type === 'failed') return;
      const waiter = this.pending.get(reply.id);
      this.pending.delete(reply.id);
      if (reply.type === 'decision') waiter?.resolve(reply.decision as never);
      else if (reply.type === 'reloaded') {
        this.running = reply.to;
        this.runningFiles = reply.files;
        waiter?.resolve({ from: reply.from, to: reply.to, files: reply.files } as never);
      } else waiter?.reject(new Error(reply.message));
    });
    worker.on('error', (error) => this.failAll(error));
    worker.on('exit', (code) => {
      const error = new Error(`the policy engine thread stopped (exit code ${code})`);
      this.failAll(error);
      if (this.stopping || worker !== this.worker) return;
      this.down = error;
      void this.restart(error);
    });
  }

  /**
   * A thread that died (out of memory, say) is started again, but only if it comes back with the
   * version that was running: any other would be a policy change nobody recorded. Until then, and
   * for good if the files changed meanwhile, requests are refused at once.
   */
  private async restart(cause: Error): Promise<void> {
    try {
      const { worker, ready } = await startWorker(this.options);
      if (this.stopping || ready.version !== this.running) {
        await worker.terminate();
        if (!this.stopping) this.down = new Error(`${cause.message}; the policy files changed since, so it was not started again: restart the service`);
        this.options.onThreadExit?.(this.down ?? cause, false);
        return;
      }
      this.worker = worker;
      this.attach(worker);
      this.down = undefined;
      this.options.onThreadExit?.(cause, true);
    } catch (error) {
      this.down = new Error(`${cause.message}, and could not be started again: ${(error as Error).message}`);
      this.options.onThreadExit?.(this.down, false);
    }
  }

  /** The version of the policy set that evaluates now. */
  get version(): string {
    return this.running;
  }

  /** The files of that version (schema first). */
  get files(): readonly PolicySourceFile[] {
    return this.runningFiles;
  }

  evaluate(request: ActionRequest): Promise<PolicyDecision> {
    return this.ask<PolicyDecision>((id) => ({ type: 'evaluate', id, request }));
  }

  /**
   * Loads the policy directory again and activates it if it loads and validates; rejects with the
   * loader's message (every problem as `file:line: message`) and keeps the running set otherwise.
   */
  reload(): Promise<PolicyReload> {
    return this.ask<PolicyReload>((id) => ({ type: 'reload', id }));
  }

  private ask<T>(message: (id: number) => PolicyThreadRequest): Promise<T> {
    if (this.down) return Promise.reject(this.down);
    const id = (this.nextId += 1);
    return new Promise<T>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (value: never) => void, reject });
      this.worker.postMessage(message(id));
    });
  }

  async stop(): Promise<void> {
    this.stopping = true;
    await this.worker.terminate();
  }

  private failAll(error: Error): void {
    for (const waiter of this.pending.values()) waiter.reject(error);
    this.pending.clear();
  }
}

/** Starts a thread and waits for it to load the policy set (or fail to, with the loader's message). */
async function startWorker(options: PolicyEngineThreadOptions): Promise<{ worker: Worker; ready: { version: string; files: PolicySourceFile[] } }> {
  const worker = new Worker(join(__dirname, 'policy-engine-thread.main.js'), { workerData: { policyDir: options.policyDir, directoryFile: options.directoryFile } });
  const ready = await new Promise<{ version: string; files: PolicySourceFile[] }>((resolve, reject) => {
    worker.once('message', (reply: PolicyThreadReply) => {
      if (reply.type === 'ready') resolve(reply);
      else reject(new Error(reply.type === 'failed' ? reply.message : 'policy engine thread answered before it was ready'));
    });
    worker.once('error', reject);
    worker.once('exit', (code) => reject(new Error(`policy engine thread exited (${code}) while starting`)));
  }).catch(async (error: unknown) => {
    await worker.terminate();
    throw error;
  });
  return { worker, ready };
}

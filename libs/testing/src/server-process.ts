import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { join, resolve } from 'node:path';

/** A free TCP port on loopback (bound, read, released). */
/**
 * Ports handed out below Linux's ephemeral range (32768 and up): a port the kernel picked for
 * `listen(0)` is an ephemeral one, and between our check and the server's bind an outgoing
 * connection (to Kafka, PostgreSQL, ...) of any process could take it as its local port. Each
 * Jest worker draws from a slice of its own, and a process never hands out a port twice.
 */
const PORT_BASE = 20_000;
const PORTS_PER_WORKER = 1_500;
const handedOut = new Set<number>();

function canListen(port: number): Promise<boolean> {
  return new Promise((resolvePort) => {
    const server = createServer();
    server.unref();
    server.once('error', () => resolvePort(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolvePort(true)));
  });
}

/** A port on 127.0.0.1 that nothing listens on, for a server a test starts. */
export async function freePort(): Promise<number> {
  const worker = Math.max(1, Number(process.env['JEST_WORKER_ID'] ?? '1'));
  const first = PORT_BASE + ((worker - 1) % 8) * PORTS_PER_WORKER;
  const start = Math.floor(Math.random() * PORTS_PER_WORKER);
  for (let i = 0; i < PORTS_PER_WORKER; i += 1) {
    const port = first + ((start + i) % PORTS_PER_WORKER);
    if (handedOut.has(port)) continue;
    if (await canListen(port)) {
      handedOut.add(port);
      return port;
    }
  }
  throw new Error(`no free port in ${first}-${first + PORTS_PER_WORKER - 1}`);
}

/** The repository root, from source or compiled code. */
export function repoRoot(from: string = __dirname): string {
  let dir = resolve(from);
  while (!existsSync(join(dir, 'nx.json'))) {
    const parent = resolve(dir, '..');
    if (parent === dir) throw new Error(`no nx.json above ${from}`);
    dir = parent;
  }
  return dir;
}

export interface ServerProcessOptions {
  /** Label in errors ("server", "decision", ...). */
  name: string;
  /** Compiled entry point under dist/, relative to the repository root. */
  main: string;
  args?: string[];
  env: Record<string, string>;
  httpPort: number;
  verbose?: boolean;
  readyTimeoutMs?: number;
}

/**
 * One real server process built by `npm test` (a file under dist/), on given ports; ready when
 * its /readyz answers 200 with its own pid. It can be stopped, killed and started again on the
 * same ports and data, as an operator (or a crash) would.
 */
export class ServerProcess {
  private child: ChildProcess | undefined;
  private output = '';
  readonly httpUrl: string;

  constructor(private readonly options: ServerProcessOptions) {
    this.httpUrl = `http://127.0.0.1:${options.httpPort}`;
  }

  get name(): string {
    return this.options.name;
  }

  /** Log lines of the current run so far (JSON, one per line). */
  get logs(): string {
    return this.output;
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  get running(): boolean {
    return this.child !== undefined && this.child.exitCode === null && this.child.signalCode === null;
  }

  /**
   * Starts the process and resolves once it is ready (/readyz 200 with its pid), or with
   * `until: 'live'` once it answers at all: for a server expected to report itself not ready.
   */
  async spawn(options: { until?: 'ready' | 'live' } = {}): Promise<void> {
    const root = repoRoot();
    const main = join(root, this.options.main);
    if (!existsSync(main)) throw new Error(`${main} is missing: run "npm run build" first`);
    this.output = '';
    const child = spawn(process.execPath, ['--enable-source-maps', main, ...(this.options.args ?? [])], {
      cwd: root,
      env: { ...process.env, LOG_LEVEL: 'info', ...this.options.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child = child;
    const collect = (chunk: Buffer) => {
      this.output += chunk.toString();
      if (this.options.verbose) process.stderr.write(chunk);
    };
    child.stdout?.on('data', collect);
    child.stderr?.on('data', collect);
    const timeoutMs = this.options.readyTimeoutMs ?? 30_000;
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (child.exitCode !== null) throw new Error(`${this.name} exited with ${child.exitCode} during start-up:\n${this.output}`);
      try {
        const response = await fetch(`${this.httpUrl}/readyz`, { signal: AbortSignal.timeout(2000) });
        // Another server may have taken the port between freePort() and our start: only ours counts.
        if (response.status === 200 && ((await response.json()) as { pid?: number }).pid === child.pid) return;
        if (options.until === 'live' && response.status === 503 && child.exitCode === null) return;
      } catch {
        // not listening yet
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    await this.kill();
    throw new Error(`${this.name} not ready within ${timeoutMs / 1000} s:\n${this.output}`);
  }

  /** Graceful stop (SIGTERM), waiting for the process to exit; resolves with its exit code. */
  stop(): Promise<number | null> {
    return this.signal('SIGTERM');
  }

  /** A crash: SIGKILL, no chance to clean up. */
  kill(): Promise<number | null> {
    return this.signal('SIGKILL');
  }

  private signal(signal: NodeJS.Signals): Promise<number | null> {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return Promise.resolve(child?.exitCode ?? null);
    return new Promise((resolveExit) => {
      child.once('exit', (code) => resolveExit(code));
      child.kill(signal);
    });
  }
}

import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

/** A free TCP port on loopback (bound, read, released). */
export function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolvePort(address.port) : reject(new Error('no port'))));
    });
  });
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

export interface EmbeddedServerOptions {
  /** Reuse a data directory (to test restarts); a fresh temporary one otherwise. */
  dataDir?: string;
  env?: Record<string, string>;
  /** Print the server's output (default: only when it fails to start). */
  verbose?: boolean;
}

/**
 * The real embedded server (dist/apps/host/src/main.js, built by `npm test`) as a child process
 * on free ports, ready when /readyz answers 200.
 */
export class EmbeddedServer {
  private child: ChildProcess | undefined;
  private output = '';
  readonly grpcAddress: string;
  readonly httpUrl: string;

  private constructor(
    readonly dataDir: string,
    readonly grpcPort: number,
    readonly httpPort: number,
    private readonly env: Record<string, string>,
    private readonly verbose: boolean,
    private readonly ownsDataDir: boolean,
  ) {
    this.grpcAddress = `127.0.0.1:${grpcPort}`;
    this.httpUrl = `http://127.0.0.1:${httpPort}`;
  }

  static async start(options: EmbeddedServerOptions = {}): Promise<EmbeddedServer> {
    const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'approvals-e2e-'));
    const server = new EmbeddedServer(
      dataDir,
      await freePort(),
      await freePort(),
      options.env ?? {},
      options.verbose ?? false,
      options.dataDir === undefined,
    );
    await server.spawn();
    return server;
  }

  /** Server log lines so far (JSON, one per line). */
  get logs(): string {
    return this.output;
  }

  async spawn(): Promise<void> {
    const root = repoRoot();
    const main = join(root, 'dist', 'apps', 'host', 'src', 'main.js');
    if (!existsSync(main)) throw new Error(`${main} is missing: run "npm run build" first`);
    this.output = '';
    const child = spawn(process.execPath, ['--enable-source-maps', main], {
      cwd: root,
      env: {
        ...process.env,
        APPROVALS_DATA_DIR: this.dataDir,
        APPROVALS_GRPC_PORT: String(this.grpcPort),
        APPROVALS_HTTP_PORT: String(this.httpPort),
        LOG_LEVEL: 'info',
        ...this.env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child = child;
    const collect = (chunk: Buffer) => {
      this.output += chunk.toString();
      if (this.verbose) process.stderr.write(chunk);
    };
    child.stdout?.on('data', collect);
    child.stderr?.on('data', collect);
    const deadline = Date.now() + 30_000;
    while (Date.now() < deadline) {
      if (child.exitCode !== null) throw new Error(`server exited with ${child.exitCode} during start-up:\n${this.output}`);
      try {
        const response = await fetch(`${this.httpUrl}/readyz`, { signal: AbortSignal.timeout(2000) });
        // Another server may have taken the port between freePort() and our start: only ours counts.
        if (response.status === 200 && ((await response.json()) as { pid?: number }).pid === child.pid) return;
      } catch {
        // not listening yet
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    await this.kill();
    throw new Error(`server not ready within 30 s:\n${this.output}`);
  }

  /** Graceful stop (SIGTERM), waiting for the process to exit. */
  async stop(): Promise<number | null> {
    return this.signal('SIGTERM');
  }

  /** A crash: SIGKILL, no chance to clean up. */
  async kill(): Promise<number | null> {
    return this.signal('SIGKILL');
  }

  /** Stops the server and removes its temporary data directory. */
  async dispose(): Promise<void> {
    await this.kill();
    if (this.ownsDataDir) rmSync(this.dataDir, { recursive: true, force: true });
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

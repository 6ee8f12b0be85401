import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ServerProcess, freePort } from './server-process';

export { freePort, repoRoot } from './server-process';

export interface EmbeddedServerOptions {
  /** Reuse a data directory (to test restarts); a fresh temporary one otherwise. */
  dataDir?: string;
  env?: Record<string, string>;
  /** Print the server's output (default: only when it fails to start). */
  verbose?: boolean;
  /** The HTTP port, when a test must know it before the start (e.g. to register a redirect URI); a free one otherwise. */
  httpPort?: number;
}

/**
 * The real embedded server (dist/apps/host/src/main.js, built by `npm test`) as a child process
 * on free ports, ready when /readyz answers 200.
 */
export class EmbeddedServer {
  readonly grpcAddress: string;
  readonly httpUrl: string;

  private constructor(
    readonly dataDir: string,
    readonly grpcPort: number,
    readonly httpPort: number,
    private readonly process: ServerProcess,
    private readonly ownsDataDir: boolean,
  ) {
    this.grpcAddress = `127.0.0.1:${grpcPort}`;
    this.httpUrl = process.httpUrl;
  }

  static async start(options: EmbeddedServerOptions = {}): Promise<EmbeddedServer> {
    const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'approvals-e2e-'));
    const [grpcPort, httpPort] = [await freePort(), options.httpPort ?? (await freePort())];
    const process = new ServerProcess({
      name: 'embedded server',
      main: join('dist', 'apps', 'host', 'src', 'main.js'),
      env: { APPROVALS_DATA_DIR: dataDir, APPROVALS_GRPC_PORT: String(grpcPort), APPROVALS_HTTP_PORT: String(httpPort), ...options.env },
      httpPort,
      verbose: options.verbose ?? false,
    });
    const server = new EmbeddedServer(dataDir, grpcPort, httpPort, process, options.dataDir === undefined);
    await server.spawn();
    return server;
  }

  /** The server process's pid while it runs (for CPU accounting). */
  get pid(): number | undefined {
    return this.process.pid;
  }

  /** Server log lines so far (JSON, one per line). */
  get logs(): string {
    return this.process.logs;
  }

  /** Starts the server (again) on the same ports and data. */
  spawn(options: { until?: 'ready' | 'live' } = {}): Promise<void> {
    return this.process.spawn(options);
  }

  /** Graceful stop (SIGTERM), waiting for the process to exit. */
  stop(): Promise<number | null> {
    return this.process.stop();
  }

  /** A crash: SIGKILL, no chance to clean up. */
  kill(): Promise<number | null> {
    return this.process.kill();
  }

  /** Stops the server and removes its temporary data directory. */
  async dispose(): Promise<void> {
    await this.kill();
    if (this.ownsDataDir) rmSync(this.dataDir, { recursive: true, force: true });
  }
}

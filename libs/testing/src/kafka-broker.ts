import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, repoRoot } from './server-process';

/**
 * A Kafka broker of one test's own, from the project's script (deploy/kafka/kafka.sh), that the
 * test may stop and start: the broker `npm test` shares between tests must never go away.
 */
export class KafkaBroker {
  private readonly dataDir = mkdtempSync(join(tmpdir(), 'approvals-kafka-own-'));

  private constructor(
    readonly port: number,
    private readonly controllerPort: number,
  ) {}

  /** A broker on free ports, not started yet. */
  static async create(): Promise<KafkaBroker> {
    return new KafkaBroker(await freePort(), await freePort());
  }

  /** The bootstrap address services are given. */
  get brokers(): string {
    return `127.0.0.1:${this.port}`;
  }

  /** Starts it and waits until it accepts connections (its data survives a stop). */
  start(): void {
    this.run('start');
  }

  /** Stops it and waits for its process to exit. */
  stop(): void {
    this.run('stop');
  }

  dispose(): void {
    this.stop();
    rmSync(this.dataDir, { recursive: true, force: true });
  }

  private run(command: 'start' | 'stop'): void {
    execFileSync('bash', [join(repoRoot(), 'deploy', 'kafka', 'kafka.sh'), command], {
      env: { ...process.env, KAFKA_PORT: String(this.port), KAFKA_CONTROLLER_PORT: String(this.controllerPort), APPROVALS_KAFKA_DATA: this.dataDir, KAFKA_HEAP: '384m' },
      stdio: 'ignore',
    });
  }
}

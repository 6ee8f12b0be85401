import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import type { ServiceAddresses } from '@approvals/client';
import { GrantKeyRing } from '@approvals/grants';
import { CheckpointKeyRing } from '@approvals/keys';
import { ServerProcess, freePort } from './server-process';

/** The five services, in start-up order: the decision service (the ledger's writer) first. */
export const distributedServices = ['decision', 'policy-evaluator', 'intake', 'notifier', 'audit-projector'] as const;
export type DistributedService = (typeof distributedServices)[number];

const grpcServices: readonly DistributedService[] = ['intake', 'notifier', 'audit-projector'];

export interface DistributedSystemOptions {
  /** Reuse a data directory (to test restarts); a fresh temporary one otherwise. */
  dataDir?: string;
  /** Settings for every service. */
  env?: Record<string, string>;
  /** host:port list; default KAFKA_BROKERS, which `npm test` sets to the broker it started. */
  brokers?: string;
  /**
   * The ledger and the audit read model: PostgreSQL (default; schemas of their own on
   * APPROVALS_TEST_POSTGRES_URL, dropped by dispose) or the SQLite files in the data directory.
   */
  ledger?: 'postgres' | 'embedded';
  /**
   * Replicas of every service (default 1). Each replica has a data directory of its own (the
   * first the system's, the others `replica-<n>` in it), as on separate hosts; they share the
   * broker, PostgreSQL and the signing key files.
   */
  replicas?: number;
  /** The connection string the services use for PostgreSQL (e.g. through a TcpProxy); default testPostgresUrl(). */
  postgresUrl?: string;
  verbose?: boolean;
}

/**
 * Distributed mode for tests: the five services as five real processes
 * (dist/apps/host/src/service-main.js) on free ports, talking over the real Kafka broker. Each
 * system gets its own Kafka namespace (topics and groups), so systems never see each other.
 */
export class DistributedSystem {
  readonly addresses: ServiceAddresses;

  private constructor(
    readonly dataDir: string,
    readonly namespace: string,
    /** The PostgreSQL schema of the ledger, when it is on PostgreSQL. */
    readonly ledgerSchema: string | undefined,
    private readonly processes: Map<string, ServerProcess>,
    private readonly grpcPorts: Map<string, number>,
    private readonly ownsDataDir: boolean,
    readonly replicas: number,
  ) {
    this.addresses = this.addressesOf(1);
  }

  /** The gRPC addresses of one replica of each service (1 is the first). */
  addressesOf(replica: number): ServiceAddresses {
    const address = (service: DistributedService) => `127.0.0.1:${this.grpcPorts.get(replicaKey(service, replica))}`;
    return { intake: address('intake'), decisions: address('notifier'), audit: address('audit-projector') };
  }

  static async start(options: DistributedSystemOptions = {}): Promise<DistributedSystem> {
    const brokers = options.brokers ?? process.env['KAFKA_BROKERS'];
    if (!brokers) throw new Error('KAFKA_BROKERS is not set: run the tests with `npm test` / `npm run test:e2e`, which start the broker');
    const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'approvals-e2e-dist-'));
    const namespace = `e2e-${randomUUID().slice(0, 8)}`;
    const ledgerSchema = (options.ledger ?? 'postgres') === 'postgres' ? `e2e_${namespace.slice(4)}` : undefined;
    const ledgerEnv: Record<string, string> = ledgerSchema
      ? {
          APPROVALS_LEDGER_STORE: 'postgres',
          APPROVALS_POSTGRES_URL: options.postgresUrl ?? testPostgresUrl(),
          APPROVALS_POSTGRES_SCHEMA: ledgerSchema,
          // The auditors' read model too, as distributed mode runs it.
          APPROVALS_READ_MODEL_STORE: 'postgres',
          APPROVALS_READ_MODEL_SCHEMA: readModelSchemaOf(ledgerSchema),
        }
      : {};
    // The signing keys every decision replica reads (distributed mode refuses to generate them).
    const keys = {
      APPROVALS_GRANT_KEYS_FILE: join(dataDir, 'keys', 'grant-signing-key.json'),
      APPROVALS_CHECKPOINT_KEYS_FILE: join(dataDir, 'keys', 'checkpoint-signing-key.json'),
    };
    // The console's session secret, the same for every notifier replica (they refuse to start without one).
    const sessions = { APPROVALS_CONSOLE_SECRET: randomBytes(32).toString('base64url') };
    await GrantKeyRing.open({ keyFile: keys.APPROVALS_GRANT_KEYS_FILE, generateIfMissing: true, issuer: 'approvals', audience: 'approvals-executor', ttlSeconds: 300 });
    await CheckpointKeyRing.open({ keyFile: keys.APPROVALS_CHECKPOINT_KEYS_FILE, generateIfMissing: true, origin: 'approvals.local/ledger' });
    const processes = new Map<string, ServerProcess>();
    const grpcPorts = new Map<string, number>();
    const replicas = options.replicas ?? 1;
    for (let replica = 1; replica <= replicas; replica++) {
      for (const service of distributedServices) {
        const key = replicaKey(service, replica);
        const httpPort = await freePort();
        const env: Record<string, string> = {
          APPROVALS_DATA_DIR: replica === 1 ? dataDir : join(dataDir, `replica-${replica}`),
          APPROVALS_KAFKA_BROKERS: brokers,
          APPROVALS_KAFKA_NAMESPACE: namespace,
          ...keys,
          ...sessions,
          ...ledgerEnv,
          APPROVALS_HTTP_PORT: String(httpPort),
          ...options.env,
        };
        if (grpcServices.includes(service)) {
          const grpcPort = await freePort();
          grpcPorts.set(key, grpcPort);
          env['APPROVALS_GRPC_PORT'] = String(grpcPort);
        }
        processes.set(
          key,
          new ServerProcess({
            name: key,
            main: join('dist', 'apps', 'host', 'src', 'service-main.js'),
            args: [service],
            env,
            httpPort,
            verbose: options.verbose ?? false,
            readyTimeoutMs: 60_000,
          }),
        );
      }
    }
    const system = new DistributedSystem(dataDir, namespace, ledgerSchema, processes, grpcPorts, options.dataDir === undefined, replicas);
    try {
      await system.spawn();
    } catch (error) {
      await system.kill();
      throw error;
    }
    return system;
  }

  /** One service's process (of its first replica, or of `replica`), to stop, kill or start on its own. */
  service(name: DistributedService, replica = 1): ServerProcess {
    return this.processes.get(replicaKey(name, replica))!;
  }

  /** Every service's log so far, each line prefixed with the service. */
  get logs(): string {
    return [...this.processes.values()].map((p) => p.logs.replace(/^/gm, `[${p.name}] `)).join('\n');
  }

  /**
   * Starts the services that are not running: the decision service first (it creates the ledger
   * and the topics). Each is awaited until ready, or with `until: 'live'` until it answers at all.
   */
  async spawn(options: { until?: 'ready' | 'live' } = {}): Promise<void> {
    const [first, ...rest] = [...this.processes.values()].filter((p) => !p.running);
    if (!first) return;
    await first.spawn(options);
    await Promise.all(rest.map((p) => p.spawn(options)));
  }

  /** Graceful stop of every service. */
  async stop(): Promise<void> {
    await Promise.all([...this.processes.values()].map((p) => p.stop()));
  }

  /** Every service crashes at once (SIGKILL). */
  async kill(): Promise<void> {
    await Promise.all([...this.processes.values()].map((p) => p.kill()));
  }

  /** Stops everything and removes the temporary data directory and the schemas of the ledger, the read model and the shared state. */
  async dispose(): Promise<void> {
    await this.kill();
    if (this.ownsDataDir) rmSync(this.dataDir, { recursive: true, force: true });
    const schema = this.ledgerSchema;
    if (schema) {
      await withTestPostgres(async (client) => {
        for (const name of [schema, readModelSchemaOf(schema), `${schema}_state`]) await client.query(`DROP SCHEMA IF EXISTS "${name}" CASCADE`);
      });
    }
  }
}

/** A replica's name: the service's for the first, `<service>#<n>` for the others. */
const replicaKey = (service: DistributedService, replica: number): string => (replica === 1 ? service : `${service}#${replica}`);

/** The schema of a test system's read model, next to its ledger's. */
const readModelSchemaOf = (ledgerSchema: string) => `${ledgerSchema}_read_model`;

/** The PostgreSQL server of the tests (these machines run one on 127.0.0.1:5432, trust auth). */
export const testPostgresUrl = (): string => process.env['APPROVALS_TEST_POSTGRES_URL'] ?? 'postgres://postgres@127.0.0.1:5432/test';

/** Runs `work` on a connection of its own to the tests' server (a database administrator's session, as the tests need). */
export async function withTestPostgres<T>(work: (client: Client) => Promise<T>, connectionString = testPostgresUrl()): Promise<T> {
  const client = new Client({ connectionString });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

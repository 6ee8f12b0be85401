import type { ServiceAddresses } from '@approvals/client';
import { DistributedSystem } from './distributed-system';
import { EmbeddedServer } from './embedded-server';

export type Mode = 'embedded' | 'distributed';
export const modes: readonly Mode[] = ['embedded', 'distributed'];

export interface SystemOptions {
  /** Reuse a data directory (to test restarts); a fresh temporary one otherwise. */
  dataDir?: string;
  env?: Record<string, string>;
  verbose?: boolean;
}

/**
 * The whole system, in either mode, as the end-to-end scenarios see it: where its gRPC services
 * listen, and how to crash, stop and start it again on the same data.
 */
export interface TestSystem {
  readonly mode: Mode;
  readonly addresses: ServiceAddresses;
  readonly dataDir: string;
  readonly logs: string;
  /** Distributed mode on PostgreSQL: the ledger's schema; undefined on the embedded store. */
  readonly ledgerSchema?: string | undefined;
  /** The decision service's HTTP base URL (grant keys at /.well-known/jwks.json, /readyz with the ledger position). */
  readonly decisionHttpUrl: string;
  /** The notifier's HTTP base URL (chat callbacks such as /slack/interactivity). */
  readonly notifierHttpUrl: string;
  /** Every process crashes (SIGKILL). */
  kill(): Promise<void>;
  /** Graceful stop (SIGTERM) of every process. */
  stop(): Promise<void>;
  /** Starts what is not running, on the same ports and data; resolves when ready (or, `until: 'live'`, when it answers). */
  spawn(options?: { until?: 'ready' | 'live' }): Promise<void>;
  dispose(): Promise<void>;
}

class EmbeddedSystem implements TestSystem {
  readonly mode = 'embedded';
  readonly addresses: ServiceAddresses;

  constructor(readonly server: EmbeddedServer) {
    this.addresses = { intake: server.grpcAddress, decisions: server.grpcAddress, audit: server.grpcAddress };
  }

  get dataDir() {
    return this.server.dataDir;
  }
  get logs() {
    return this.server.logs;
  }
  get decisionHttpUrl() {
    return this.server.httpUrl;
  }
  get notifierHttpUrl() {
    return this.server.httpUrl;
  }
  async kill() {
    await this.server.kill();
  }
  async stop() {
    await this.server.stop();
  }
  spawn(options: { until?: 'ready' | 'live' } = {}) {
    return this.server.spawn(options);
  }
  dispose() {
    return this.server.dispose();
  }
}

class Distributed implements TestSystem {
  readonly mode = 'distributed';

  /** The PostgreSQL schema of the ledger (undefined on the embedded store). */
  get ledgerSchema(): string | undefined {
    return this.system.ledgerSchema;
  }

  constructor(readonly system: DistributedSystem) {}

  get addresses() {
    return this.system.addresses;
  }
  get dataDir() {
    return this.system.dataDir;
  }
  get logs() {
    return this.system.logs;
  }
  get decisionHttpUrl() {
    return this.system.service('decision').httpUrl;
  }
  get notifierHttpUrl() {
    return this.system.service('notifier').httpUrl;
  }
  kill() {
    return this.system.kill();
  }
  stop() {
    return this.system.stop();
  }
  spawn(options: { until?: 'ready' | 'live' } = {}) {
    return this.system.spawn(options);
  }
  dispose() {
    return this.system.dispose();
  }
}

/** Starts the real system in the given mode (built by `npm test`; distributed mode needs KAFKA_BROKERS). */
export async function startSystem(mode: Mode, options: SystemOptions = {}): Promise<TestSystem> {
  return mode === 'embedded' ? new EmbeddedSystem(await EmbeddedServer.start(options)) : new Distributed(await DistributedSystem.start(options));
}

import { InProcessBroker } from '@approvals/bus';
import type { AppConfig } from '@approvals/config';
import { dataFiles } from '@approvals/config';
import type { Ledger } from '@approvals/ledger';
import type { ServiceState } from '@approvals/service-state';
import type { WalCheckpointer } from '@approvals/sqlite';
import type { Logger } from '@approvals/telemetry';
import type { OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { Global, Inject, Module } from '@nestjs/common';
import { sharedProviders } from './shared-providers';
import {
  AUTHENTICATOR,
  BROKER,
  BUS_STATUS,
  CHECKPOINT_STORE,
  CLOCK,
  COMMAND_SENDER,
  CONFIG,
  DIRECTORY,
  EVENT_STORE,
  IDS,
  LEDGER,
  LEDGER_INTEGRITY,
  LOGGER,
  MESSAGE_PUBLISHER,
  SERVICE_STATE,
} from './tokens';
import { checkpointSqliteFiles } from './wal-checkpoints';


/**
 * The embedded mode's infrastructure: SQLite ledger under the data directory, the directory
 * file, and the in-process bus. Distributed mode swaps this module, not the services.
 */
@Global()
@Module({})
export class EmbeddedInfraModule implements OnApplicationBootstrap, OnApplicationShutdown {
  private checkpointer: WalCheckpointer | undefined;

  constructor(
    @Inject(LEDGER) private readonly ledger: Ledger,
    @Inject(SERVICE_STATE) private readonly state: ServiceState,
    @Inject(CONFIG) private readonly config: AppConfig,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  /** Every SQLite file of the embedded mode is checkpointed off the event loop (see WalCheckpointer). */
  onApplicationBootstrap(): void {
    const files = dataFiles(this.config);
    const ledgerFile = this.config.ledger.store === 'embedded' ? [this.config.ledger.file] : [];
    const readModelFile = this.config.readModel.store === 'embedded' ? [this.config.readModel.file] : [];
    this.checkpointer = checkpointSqliteFiles([...ledgerFile, ...readModelFile, files.notifier], this.config, this.logger);
  }

  static forRoot(config: AppConfig) {
    return {
      module: EmbeddedInfraModule,
      providers: [
        ...sharedProviders(config, 'approvals'),
        {
          provide: BROKER,
          useFactory: (logger: Logger) =>
            new InProcessBroker({
              onError: (error, where) => logger.warn({ err: error, ...where }, 'bus handler failed'),
              onDeadLetter: (letter) =>
                logger.error(
                  { topic: letter.topic, key: letter.key, attempts: letter.attempts, error: letter.error, message: letter.message },
                  'bus message dead-lettered after its last attempt; the decision service delivers it again later',
                ),
            }),
          inject: [LOGGER],
        },
        { provide: MESSAGE_PUBLISHER, useExisting: BROKER },
        { provide: COMMAND_SENDER, useExisting: BROKER },
        { provide: BUS_STATUS, useExisting: BROKER },
      ],
      exports: [CONFIG, LOGGER, LEDGER, SERVICE_STATE, LEDGER_INTEGRITY, EVENT_STORE, CHECKPOINT_STORE, DIRECTORY, AUTHENTICATOR, CLOCK, IDS, BROKER, MESSAGE_PUBLISHER, COMMAND_SENDER, BUS_STATUS],
    };
  }

  async onApplicationShutdown(): Promise<void> {
    await this.checkpointer?.stop();
    await this.ledger.close();
    await this.state.close();
  }
}

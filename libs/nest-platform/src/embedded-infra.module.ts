import type { OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { Global, Inject, Module } from '@nestjs/common';
import type { Directory } from '@approvals/application';
import { authenticatorFor } from './grpc-auth';
import { ledgerIntegrity } from './ledger-integrity';
import { checkpointSqliteFiles } from './wal-checkpoints';
import { randomIds, systemClock } from '@approvals/application';
import type { AppConfig } from '@approvals/config';
import type { Ledger } from '@approvals/ledger';
import type { Logger } from '@approvals/telemetry';
import type { WalCheckpointer } from '@approvals/sqlite';
import { InProcessBroker } from '@approvals/bus';
import { createLogger } from '@approvals/telemetry';
import { dataFiles } from '@approvals/config';
import { loadDirectory } from '@approvals/identity';
import { openLedgerWithRetry } from '@approvals/ledger';
import {
  BROKER,
  BUS_STATUS,
  CHECKPOINT_STORE,
  CLOCK,
  COMMAND_SENDER,
  CONFIG,
  AUTHENTICATOR,
  DIRECTORY,
  EVENT_STORE,
  LEDGER,
  LEDGER_INTEGRITY,
  IDS,
  LOGGER,
  MESSAGE_PUBLISHER,
} from './tokens';


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
        { provide: CONFIG, useValue: config },
        { provide: LOGGER, useValue: createLogger('approvals', config.logLevel) },
        {
          provide: LEDGER,
          useFactory: (logger: Logger) =>
            openLedgerWithRetry(
              config.ledger,
              { walAutoCheckpoint: false, onError: (err) => logger.warn({ err }, 'ledger connection error; reconnecting') },
              { onRetry: (err, attempt, delayMs) => logger.warn({ err, attempt }, `the ledger cannot be opened; not ready, trying again in ${delayMs} ms`) },
            ),
          inject: [LOGGER],
        },
        { provide: EVENT_STORE, useFactory: (ledger: Ledger) => ledger.events, inject: [LEDGER] },
        { provide: CHECKPOINT_STORE, useFactory: (ledger: Ledger) => ledger.checkpoints, inject: [LEDGER] },
        { provide: LEDGER_INTEGRITY, useFactory: (ledger: Ledger, logger: Logger) => (config.checkpoints.enabled ? ledgerIntegrity(ledger, logger) : undefined), inject: [LEDGER, LOGGER] },
        { provide: DIRECTORY, useFactory: () => loadDirectory(config.directoryFile) },
        { provide: AUTHENTICATOR, useFactory: (directory: Directory) => authenticatorFor(config, directory), inject: [DIRECTORY] },
        { provide: CLOCK, useValue: systemClock },
        { provide: IDS, useValue: randomIds },
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
      exports: [CONFIG, LOGGER, LEDGER, LEDGER_INTEGRITY, EVENT_STORE, CHECKPOINT_STORE, DIRECTORY, AUTHENTICATOR, CLOCK, IDS, BROKER, MESSAGE_PUBLISHER, COMMAND_SENDER, BUS_STATUS],
    };
  }

  async onApplicationShutdown(): Promise<void> {
    await this.checkpointer?.stop();
    await this.ledger.close();
  }
}

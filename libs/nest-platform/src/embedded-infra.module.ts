import type { OnApplicationShutdown } from '@nestjs/common';
import { Global, Inject, Module } from '@nestjs/common';
import { randomIds, systemClock } from '@approvals/application';
import type { AppConfig, Logger, SqliteLedger } from '@approvals/platform';
import { InProcessBroker, createLogger, loadDirectory, openSqliteLedger } from '@approvals/platform';
import {
  BROKER,
  CHECKPOINT_STORE,
  CLOCK,
  COMMAND_SENDER,
  CONFIG,
  DIRECTORY,
  EVENT_STORE,
  IDS,
  LOGGER,
  MESSAGE_PUBLISHER,
} from './tokens';

const LEDGER = Symbol('SqliteLedger');

/**
 * The embedded mode's infrastructure: SQLite ledger under the data directory, the directory
 * file, and the in-process bus. Distributed mode swaps this module, not the services.
 */
@Global()
@Module({})
export class EmbeddedInfraModule implements OnApplicationShutdown {
  constructor(@Inject(LEDGER) private readonly ledger: SqliteLedger) {}

  static forRoot(config: AppConfig) {
    return {
      module: EmbeddedInfraModule,
      providers: [
        { provide: CONFIG, useValue: config },
        { provide: LOGGER, useValue: createLogger('approvals', config.logLevel) },
        { provide: LEDGER, useFactory: () => openSqliteLedger({ dataDir: config.dataDir }) },
        { provide: EVENT_STORE, useFactory: (ledger: SqliteLedger) => ledger.events, inject: [LEDGER] },
        { provide: CHECKPOINT_STORE, useFactory: (ledger: SqliteLedger) => ledger.checkpoints, inject: [LEDGER] },
        { provide: DIRECTORY, useFactory: () => loadDirectory(config.directoryFile) },
        { provide: CLOCK, useValue: systemClock },
        { provide: IDS, useValue: randomIds },
        {
          provide: BROKER,
          useFactory: (logger: Logger) =>
            new InProcessBroker({
              onError: (error, where) => logger.warn({ err: error, ...where }, 'bus handler failed; retrying with backoff'),
            }),
          inject: [LOGGER],
        },
        { provide: MESSAGE_PUBLISHER, useExisting: BROKER },
        { provide: COMMAND_SENDER, useExisting: BROKER },
      ],
      exports: [CONFIG, LOGGER, EVENT_STORE, CHECKPOINT_STORE, DIRECTORY, CLOCK, IDS, BROKER, MESSAGE_PUBLISHER, COMMAND_SENDER],
    };
  }

  async onApplicationShutdown(): Promise<void> {
    await this.ledger.close();
  }
}

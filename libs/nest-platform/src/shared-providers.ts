import type { Provider } from '@nestjs/common';
import type { Directory } from '@approvals/application';
import { randomIds, systemClock } from '@approvals/application';
import type { AppConfig } from '@approvals/config';
import { loadDirectory } from '@approvals/identity';
import type { Ledger } from '@approvals/ledger';
import { openLedgerWithRetry, openWithRetry } from '@approvals/ledger';
import { openServiceState } from '@approvals/service-state';
import type { Logger } from '@approvals/telemetry';
import { createLogger } from '@approvals/telemetry';
import { authenticatorFor } from './grpc-auth';
import { ledgerIntegrity } from './ledger-integrity';
import { AUTHENTICATOR, CHECKPOINT_STORE, CLOCK, CONFIG, DIRECTORY, EVENT_STORE, IDS, LEDGER, LEDGER_INTEGRITY, LOGGER, SERVICE_STATE } from './tokens';

/**
 * What both modes provide alike: the configuration and the log, the ledger (opened with retries)
 * and what the services take from it, the directory and who callers are, the clock and ids. The
 * infrastructure modules add the bus of their mode.
 */
export function sharedProviders(config: AppConfig, logName: string): Provider[] {
  return [
    { provide: CONFIG, useValue: config },
    { provide: LOGGER, useValue: createLogger(logName, config.logLevel) },
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
    {
      provide: SERVICE_STATE,
      useFactory: (logger: Logger) =>
        openWithRetry(() => openServiceState(config.state, (err) => logger.warn({ err }, 'service state connection error; reconnecting')), {
          onRetry: (err, attempt) => logger.warn({ err, attempt }, 'the shared service state cannot be opened yet; retrying'),
        }),
      inject: [LOGGER],
    },
    { provide: EVENT_STORE, useFactory: (ledger: Ledger) => ledger.events, inject: [LEDGER] },
    { provide: CHECKPOINT_STORE, useFactory: (ledger: Ledger) => ledger.checkpoints, inject: [LEDGER] },
    { provide: LEDGER_INTEGRITY, useFactory: (ledger: Ledger, logger: Logger) => (config.checkpoints.enabled ? ledgerIntegrity(ledger, logger) : undefined), inject: [LEDGER, LOGGER] },
    { provide: DIRECTORY, useFactory: () => loadDirectory(config.directoryFile) },
    { provide: AUTHENTICATOR, useFactory: (directory: Directory) => authenticatorFor(config, directory), inject: [DIRECTORY] },
    { provide: CLOCK, useValue: systemClock },
    { provide: IDS, useValue: randomIds },
  ];
}

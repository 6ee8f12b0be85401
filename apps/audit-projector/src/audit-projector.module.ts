import type { OnApplicationBootstrap, OnApplicationShutdown, OnModuleDestroy } from '@nestjs/common';
import { Inject, Module } from '@nestjs/common';
import { AuditQueries, describeFinding } from '@approvals/application';
import type { AppConfig } from '@approvals/config';
import type { Logger } from '@approvals/telemetry';
import type { OpenReadModel } from '@approvals/read-model';
import { ProjectorThread } from './projector-thread';
import { openReadModel } from '@approvals/read-model';
import { openWithRetry } from '@approvals/ledger';
import type { EventStore, LedgerIntegrity } from '@approvals/application';
import { CONFIG, EVENT_STORE, LEDGER_INTEGRITY, LOGGER } from '@approvals/nest-platform';
import { observeProjectorLag } from '@approvals/telemetry';
import { activeTelemetry } from '@approvals/telemetry/start';
import { AuditGrpcController } from './audit.grpc.controller';

const READ_MODEL = Symbol('ReadModelStore');

@Module({
  controllers: [AuditGrpcController],
  providers: [
    {
      provide: READ_MODEL,
      // A read model on a server that is not up yet is waited for (the service stays not ready), not a crash.
      useFactory: (config: AppConfig, logger: Logger) =>
        openWithRetry(() => openReadModel(config.readModel, (err) => logger.warn({ err }, 'read model connection error')), {
          onRetry: (err, attempt, delayMs) => logger.warn({ err, attempt }, `the audit read model cannot be opened; not ready, trying again in ${delayMs} ms`),
        }),
      inject: [CONFIG, LOGGER],
    },
    { provide: AuditQueries, useFactory: (store: OpenReadModel) => new AuditQueries(store), inject: [READ_MODEL] },
  ],
})
export class AuditProjectorModule implements OnApplicationBootstrap, OnModuleDestroy, OnApplicationShutdown {
  private projector: ProjectorThread | undefined;

  constructor(
    @Inject(READ_MODEL) private readonly store: OpenReadModel,
    @Inject(CONFIG) private readonly config: AppConfig,
    @Inject(LOGGER) private readonly logger: Logger,
    @Inject(EVENT_STORE) private readonly ledger: EventStore,
    @Inject(LEDGER_INTEGRITY) private readonly integrity: LedgerIntegrity | undefined,
  ) {}

  /** The projection runs in its own thread; this module answers the queries (see ProjectorThread). */
  async onApplicationBootstrap(): Promise<void> {
    const telemetry = activeTelemetry();
    this.projector = await ProjectorThread.start({
      ledger: this.config.ledger,
      readModel: this.config.readModel,
      onError: (message) => this.logger.error(message),
      // The projection sees every new event: one that disagrees with itself is a finding like the keeper's.
      onFinding: (finding) => (this.integrity ? this.integrity.found(finding) : this.logger.error({ finding: describeFinding(finding) }, 'the ledger is inconsistent')),
      telemetry: telemetry?.settings.tracing ? { serviceName: telemetry.serviceName, mode: telemetry.mode } : undefined,
    });
    observeProjectorLag(this.ledger, this.store);
  }

  async onModuleDestroy(): Promise<void> {
    await this.projector?.stop();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.store.close();
  }
}

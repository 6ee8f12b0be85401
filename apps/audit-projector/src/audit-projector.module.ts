import type { OnApplicationBootstrap, OnApplicationShutdown, OnModuleDestroy } from '@nestjs/common';
import { Inject, Module } from '@nestjs/common';
import { AuditQueries } from '@approvals/application';
import type { AppConfig, Logger, OpenReadModel } from '@approvals/platform';
import { ProjectorThread, openReadModel, openWithRetry } from '@approvals/platform';
import type { EventStore, ReadModelStore } from '@approvals/application';
import { CONFIG, EVENT_STORE, LOGGER } from '@approvals/nest-platform';
import { MetricNames, observeGauge } from '@approvals/telemetry';
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
  ) {}

  /** The projection runs in its own thread; this module answers the queries (see ProjectorThread). */
  async onApplicationBootstrap(): Promise<void> {
    const telemetry = activeTelemetry();
    this.projector = await ProjectorThread.start({
      ledger: this.config.ledger,
      readModel: this.config.readModel,
      onError: (message) => this.logger.error(message),
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

/** Ledger events looked at past the checkpoint, per reading of the lag, to find one the projection wants. */
const LAG_PROBE = 100;

/**
 * The projection's lag, read when metrics are collected, cheaply: the ledger positions between the
 * read model's checkpoint and the head (other streams' events among them count too, so it is an
 * upper bound), and how long ago the oldest action event not yet projected happened. Both are 0
 * when no action event waits.
 */
function observeProjectorLag(ledger: EventStore, readModel: ReadModelStore): void {
  let reading: Promise<{ events: number; seconds: number }> | undefined;
  const read = () =>
    (reading ??= (async () => {
      try {
        const after = await readModel.loadCheckpoint();
        const next = (await ledger.readAll({ after, maxCount: LAG_PROBE })).find((event) => event.streamId.startsWith('action-'));
        if (!next) return { events: 0, seconds: 0 };
        const head = await ledger.headPosition();
        const oldest = Date.parse(next.metadata.occurredAt);
        return { events: Number(head - after), seconds: Number.isFinite(oldest) ? Math.max(0, Date.now() - oldest) / 1000 : 0 };
      } finally {
        reading = undefined;
      }
    })());
  observeGauge(MetricNames.projectorLagEvents, { description: 'Ledger events the audit projection has not applied yet', unit: '{event}' }, async () => (await read()).events);
  observeGauge(MetricNames.projectorLag, { description: 'Age of the oldest ledger event the audit projection has not applied yet', unit: 's' }, async () => (await read()).seconds);
}

import type { OnApplicationBootstrap, OnApplicationShutdown, OnModuleDestroy } from '@nestjs/common';
import { Inject, Module } from '@nestjs/common';
import type { EventStore } from '@approvals/application';
import { AuditProjector, AuditQueries } from '@approvals/application';
import type { AppConfig, Logger, SqliteReadModelStore } from '@approvals/platform';
import { openSqliteReadModel } from '@approvals/platform';
import { CONFIG, EVENT_STORE, LOGGER } from '@approvals/nest-platform';
import { AuditGrpcController } from './audit.grpc.controller';

const READ_MODEL = Symbol('ReadModelStore');

@Module({
  controllers: [AuditGrpcController],
  providers: [
    { provide: READ_MODEL, useFactory: (config: AppConfig) => openSqliteReadModel({ dataDir: config.dataDir, walAutoCheckpoint: false }), inject: [CONFIG] },
    {
      provide: AuditProjector,
      useFactory: (ledger: EventStore, store: SqliteReadModelStore, logger: Logger) =>
        new AuditProjector(ledger, store, { onError: (err) => logger.error({ err }, 'audit projection stopped') }),
      inject: [EVENT_STORE, READ_MODEL, LOGGER],
    },
    { provide: AuditQueries, useFactory: (store: SqliteReadModelStore) => new AuditQueries(store), inject: [READ_MODEL] },
  ],
})
export class AuditProjectorModule implements OnApplicationBootstrap, OnModuleDestroy, OnApplicationShutdown {
  constructor(
    @Inject(AuditProjector) private readonly projector: AuditProjector,
    @Inject(READ_MODEL) private readonly store: SqliteReadModelStore,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.projector.start();
  }

  async onModuleDestroy(): Promise<void> {
    await this.projector.stop();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.store.close();
  }
}

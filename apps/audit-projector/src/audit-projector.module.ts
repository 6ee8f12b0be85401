import type { OnApplicationBootstrap, OnApplicationShutdown, OnModuleDestroy } from '@nestjs/common';
import { Inject, Module } from '@nestjs/common';
import { AuditQueries } from '@approvals/application';
import type { AppConfig, Logger, SqliteReadModelStore } from '@approvals/platform';
import { ProjectorThread, dataFiles, openSqliteReadModel } from '@approvals/platform';
import { CONFIG, LOGGER } from '@approvals/nest-platform';
import { AuditGrpcController } from './audit.grpc.controller';

const READ_MODEL = Symbol('ReadModelStore');

@Module({
  controllers: [AuditGrpcController],
  providers: [
    { provide: READ_MODEL, useFactory: (config: AppConfig) => openSqliteReadModel({ dataDir: config.dataDir, walAutoCheckpoint: false }), inject: [CONFIG] },
    { provide: AuditQueries, useFactory: (store: SqliteReadModelStore) => new AuditQueries(store), inject: [READ_MODEL] },
  ],
})
export class AuditProjectorModule implements OnApplicationBootstrap, OnModuleDestroy, OnApplicationShutdown {
  private projector: ProjectorThread | undefined;

  constructor(
    @Inject(READ_MODEL) private readonly store: SqliteReadModelStore,
    @Inject(CONFIG) private readonly config: AppConfig,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  /** The projection runs in its own thread; this module answers the queries (see ProjectorThread). */
  async onApplicationBootstrap(): Promise<void> {
    const files = dataFiles(this.config);
    this.projector = await ProjectorThread.start({
      ledger: this.config.ledger,
      readModelFile: files.readModel,
      onError: (message) => this.logger.error(message),
    });
  }

  async onModuleDestroy(): Promise<void> {
    await this.projector?.stop();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.store.close();
  }
}

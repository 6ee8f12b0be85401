import type { OnApplicationShutdown } from '@nestjs/common';
import { Inject, Module } from '@nestjs/common';
import type { Clock, CommandSender, Directory, EventStore, IdGenerator } from '@approvals/application';
import { NotifierService } from '@approvals/application';
import type { AppConfig, Logger } from '@approvals/platform';
import { LogNotificationChannel, SqlitePendingApprovalStore, dataFiles } from '@approvals/platform';
import { CLOCK, COMMAND_SENDER, CONFIG, DIRECTORY, EVENT_STORE, IDS, LOGGER } from '@approvals/nest-platform';
import { DecisionsGrpcController } from './decisions.grpc.controller';
import { NotifierBusController } from './notifier.bus.controller';

const PENDING_STORE = Symbol('PendingApprovalStore');

@Module({
  controllers: [NotifierBusController, DecisionsGrpcController],
  providers: [
    { provide: PENDING_STORE, useFactory: (config: AppConfig) => new SqlitePendingApprovalStore(dataFiles(config).notifier, { walAutoCheckpoint: false }), inject: [CONFIG] },
    {
      provide: NotifierService,
      useFactory: (
        ledger: EventStore,
        pending: SqlitePendingApprovalStore,
        commands: CommandSender,
        directory: Directory,
        clock: Clock,
        ids: IdGenerator,
        logger: Logger,
      ) => new NotifierService(ledger, pending, [new LogNotificationChannel(logger.child({ component: 'notifier' }))], commands, directory, clock, ids),
      inject: [EVENT_STORE, PENDING_STORE, COMMAND_SENDER, DIRECTORY, CLOCK, IDS, LOGGER],
    },
  ],
})
export class NotifierModule implements OnApplicationShutdown {
  constructor(@Inject(PENDING_STORE) private readonly pending: SqlitePendingApprovalStore) {}

  onApplicationShutdown(): void {
    this.pending.close();
  }
}

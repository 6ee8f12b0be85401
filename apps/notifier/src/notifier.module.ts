import type { OnApplicationShutdown } from '@nestjs/common';
import { Inject, Module } from '@nestjs/common';
import type { Clock, CommandSender, Directory, EventStore, IdGenerator } from '@approvals/application';
import { NotifierService } from '@approvals/application';
import type { AppConfig, Logger } from '@approvals/platform';
import { LogNotificationChannel, SlackChannel, SlackRequestVerifier, SqlitePendingApprovalStore, dataFiles } from '@approvals/platform';
import { CLOCK, COMMAND_SENDER, CONFIG, DIRECTORY, EVENT_STORE, IDS, LOGGER } from '@approvals/nest-platform';
import { DecisionsGrpcController } from './decisions.grpc.controller';
import { NotifierBusController } from './notifier.bus.controller';
import { SLACK_CHANNEL, SLACK_VERIFIER, SlackController } from './slack.controller';

const PENDING_STORE = Symbol('PendingApprovalStore');

@Module({
  controllers: [NotifierBusController, DecisionsGrpcController, SlackController],
  providers: [
    {
      provide: SLACK_CHANNEL,
      useFactory: (config: AppConfig) => (config.slack ? new SlackChannel(config.slack) : null),
      inject: [CONFIG],
    },
    {
      provide: SLACK_VERIFIER,
      useFactory: (config: AppConfig) => (config.slack ? new SlackRequestVerifier(config.slack.signingSecret) : null),
      inject: [CONFIG],
    },
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
        slack: SlackChannel | null,
      ) => {
        const log = logger.child({ component: 'notifier' });
        const channels = [new LogNotificationChannel(log), ...(slack ? [slack] : [])];
        return new NotifierService(ledger, pending, channels, commands, directory, clock, ids, (err, channel, actionId) =>
          log.warn({ err, channel, actionId }, `could not update the ${channel} message; the vote and the outcome stand`),
        );
      },
      inject: [EVENT_STORE, PENDING_STORE, COMMAND_SENDER, DIRECTORY, CLOCK, IDS, LOGGER, SLACK_CHANNEL],
    },
  ],
})
export class NotifierModule implements OnApplicationShutdown {
  constructor(@Inject(PENDING_STORE) private readonly pending: SqlitePendingApprovalStore) {}

  onApplicationShutdown(): void {
    this.pending.close();
  }
}

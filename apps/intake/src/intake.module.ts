import type { OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { Inject, Module } from '@nestjs/common';
import type { Clock, CommandSender, Directory, EventStore, IdGenerator } from '@approvals/application';
import { ActionUpdates, IntakeService } from '@approvals/application';
import type { Logger } from '@approvals/platform';
import { CLOCK, COMMAND_SENDER, DIRECTORY, EVENT_STORE, IDS, LOGGER } from '@approvals/nest-platform';
import { IntakeGrpcController } from './intake.grpc.controller';

@Module({
  controllers: [IntakeGrpcController],
  providers: [
    {
      provide: ActionUpdates,
      useFactory: (store: EventStore, logger: Logger) => new ActionUpdates(store, (err) => logger.error({ err }, 'action updates subscription failed')),
      inject: [EVENT_STORE, LOGGER],
    },
    {
      provide: IntakeService,
      useFactory: (store: EventStore, commands: CommandSender, updates: ActionUpdates, directory: Directory, clock: Clock, ids: IdGenerator) =>
        new IntakeService(store, commands, updates, directory, clock, ids),
      inject: [EVENT_STORE, COMMAND_SENDER, ActionUpdates, DIRECTORY, CLOCK, IDS],
    },
  ],
})
export class IntakeModule implements OnApplicationBootstrap, OnModuleDestroy {
  constructor(@Inject(ActionUpdates) private readonly updates: ActionUpdates) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.updates.start();
  }

  async onModuleDestroy(): Promise<void> {
    await this.updates.stop();
  }
}

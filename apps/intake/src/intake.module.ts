import { Module } from '@nestjs/common';
import type { Clock, CommandSender, Directory, EventStore, IdGenerator, LedgerIntegrity } from '@approvals/application';
import { ActionUpdates, IntakeService } from '@approvals/application';
import { CLOCK, COMMAND_SENDER, DIRECTORY, EVENT_STORE, IDS, LEDGER_INTEGRITY } from '@approvals/nest-platform';
import { IntakeBusController } from './intake.bus.controller';
import { IntakeGrpcController } from './intake.grpc.controller';

@Module({
  controllers: [IntakeGrpcController, IntakeBusController],
  providers: [
    { provide: ActionUpdates, useFactory: () => new ActionUpdates() },
    {
      provide: IntakeService,
      useFactory: (
        store: EventStore,
        commands: CommandSender,
        updates: ActionUpdates,
        directory: Directory,
        clock: Clock,
        ids: IdGenerator,
        integrity: LedgerIntegrity | undefined,
      ) => new IntakeService(store, commands, updates, directory, clock, ids, integrity),
      inject: [EVENT_STORE, COMMAND_SENDER, ActionUpdates, DIRECTORY, CLOCK, IDS, LEDGER_INTEGRITY],
    },
  ],
})
export class IntakeModule {}

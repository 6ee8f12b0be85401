import { Controller, Inject, UseFilters } from '@nestjs/common';
import { BusExceptionFilter } from '@approvals/nest-platform';
import { EventPattern, Payload } from '@nestjs/microservices';
import { Topics, ledgerEventMessageSchema, parseMessage } from '@approvals/contracts';
import { ActionUpdates } from '@approvals/application';

/** Wakes the intake's watchers when the ledger announces an event of their action. */
@Controller()
@UseFilters(BusExceptionFilter)
export class IntakeBusController {
  constructor(@Inject(ActionUpdates) private readonly updates: ActionUpdates) {}

  @EventPattern(Topics.ledgerEvents)
  onLedgerEvent(@Payload() message: unknown): void {
    const { type, data, metadata } = parseMessage(ledgerEventMessageSchema, message, Topics.ledgerEvents);
    this.updates.notify({ streamId: metadata.streamId, revision: metadata.revision, type, data });
  }
}

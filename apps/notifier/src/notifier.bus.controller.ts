import { Controller, Inject, UseFilters } from '@nestjs/common';
import { BusExceptionFilter } from '@approvals/nest-platform';
import { EventPattern, Payload } from '@nestjs/microservices';
import { Topics, ledgerEventMessageSchema, parseMessage } from '@approvals/contracts';
import { NotifierService } from '@approvals/application';

@Controller()
@UseFilters(BusExceptionFilter)
export class NotifierBusController {
  constructor(@Inject(NotifierService) private readonly notifier: NotifierService) {}

  @EventPattern(Topics.ledgerEvents)
  onLedgerEvent(@Payload() message: unknown): Promise<void> {
    return this.notifier.onLedgerEvent(parseMessage(ledgerEventMessageSchema, message, Topics.ledgerEvents));
  }
}

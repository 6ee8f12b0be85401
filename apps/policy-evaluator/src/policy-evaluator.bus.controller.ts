import { Controller, Inject, UseFilters } from '@nestjs/common';
import { BusExceptionFilter } from '@approvals/nest-platform';
import { EventPattern, Payload } from '@nestjs/microservices';
import { Topics, ledgerEventMessageSchema, parseMessage } from '@approvals/contracts';
import { PolicyEvaluationHandler } from '@approvals/application';

@Controller()
@UseFilters(BusExceptionFilter)
export class PolicyEvaluatorBusController {
  constructor(@Inject(PolicyEvaluationHandler) private readonly handler: PolicyEvaluationHandler) {}

  @EventPattern(Topics.ledgerEvents)
  onLedgerEvent(@Payload() message: unknown): Promise<void> {
    return this.handler.onLedgerEvent(parseMessage(ledgerEventMessageSchema, message, Topics.ledgerEvents));
  }
}

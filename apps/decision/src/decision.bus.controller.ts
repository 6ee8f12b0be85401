import { Controller, Inject, UseFilters } from '@nestjs/common';
import { BusExceptionFilter } from '@approvals/nest-platform';
import { EventPattern, MessagePattern, Payload } from '@nestjs/microservices';
import type { CommandReply } from '@approvals/contracts';
import { Commands, Topics, parseMessage, policyEvaluatedMessageSchema } from '@approvals/contracts';
import { DecisionHandlers } from '@approvals/application';

/**
 * The decision service's bus endpoints: commands (request/reply), each checked against its schema
 * and handled by DecisionHandlers.handle, and policy evaluations.
 */
@Controller()
@UseFilters(BusExceptionFilter)
export class DecisionBusController {
  constructor(@Inject(DecisionHandlers) private readonly handlers: DecisionHandlers) {}

  @MessagePattern(Commands.requestAction)
  requestAction(@Payload() message: unknown): Promise<CommandReply> {
    return this.handlers.handle(Commands.requestAction, message);
  }

  @MessagePattern(Commands.castVote)
  castVote(@Payload() message: unknown): Promise<CommandReply> {
    return this.handlers.handle(Commands.castVote, message);
  }

  @MessagePattern(Commands.cancelAction)
  cancelAction(@Payload() message: unknown): Promise<CommandReply> {
    return this.handlers.handle(Commands.cancelAction, message);
  }

  @MessagePattern(Commands.reportExecution)
  reportExecution(@Payload() message: unknown): Promise<CommandReply> {
    return this.handlers.handle(Commands.reportExecution, message);
  }

  @MessagePattern(Commands.recordNotification)
  recordNotification(@Payload() message: unknown): Promise<CommandReply> {
    return this.handlers.handle(Commands.recordNotification, message);
  }

  @MessagePattern(Commands.revokeStandingApproval)
  revokeStandingApproval(@Payload() message: unknown): Promise<CommandReply> {
    return this.handlers.handle(Commands.revokeStandingApproval, message);
  }

  @MessagePattern(Commands.invokeBreakGlass)
  invokeBreakGlass(@Payload() message: unknown): Promise<CommandReply> {
    return this.handlers.handle(Commands.invokeBreakGlass, message);
  }

  @MessagePattern(Commands.reviewBreakGlass)
  reviewBreakGlass(@Payload() message: unknown): Promise<CommandReply> {
    return this.handlers.handle(Commands.reviewBreakGlass, message);
  }

  @MessagePattern(Commands.escalateApproval)
  escalateApproval(@Payload() message: unknown): Promise<CommandReply> {
    return this.handlers.handle(Commands.escalateApproval, message);
  }

  @MessagePattern(Commands.redeemGrant)
  redeemGrant(@Payload() message: unknown): Promise<CommandReply> {
    return this.handlers.handle(Commands.redeemGrant, message);
  }

  @EventPattern(Topics.policyEvaluations)
  async policyEvaluated(@Payload() message: unknown): Promise<void> {
    const reply = await this.handlers.recordEvaluation(parseMessage(policyEvaluatedMessageSchema, message, Topics.policyEvaluations));
    // NOT_FOUND cannot heal by retrying; anything else unexpected is retried by the bus.
    if (!reply.ok && reply.code !== 'NOT_FOUND') throw new Error(`recording evaluation failed: ${reply.code}: ${reply.message}`);
  }
}

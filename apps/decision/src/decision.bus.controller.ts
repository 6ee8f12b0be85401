import { Controller, Inject, UseFilters } from '@nestjs/common';
import { BusExceptionFilter } from '@approvals/nest-platform';
import { EventPattern, MessagePattern, Payload } from '@nestjs/microservices';
import type { CommandReply } from '@approvals/contracts';
import {
  Commands,
  Topics,
  cancelActionCommandSchema,
  castVoteCommandSchema,
  escalateApprovalCommandSchema,
  invokeBreakGlassCommandSchema,
  parseMessage,
  policyEvaluatedMessageSchema,
  recordNotificationCommandSchema,
  redeemGrantCommandSchema,
  reportExecutionCommandSchema,
  requestActionCommandSchema,
  reviewBreakGlassCommandSchema,
  revokeStandingApprovalCommandSchema,
} from '@approvals/contracts';
import { DecisionHandlers } from '@approvals/application';

/** The decision service's bus endpoints: commands (request/reply) and policy evaluations. */
@Controller()
@UseFilters(BusExceptionFilter)
export class DecisionBusController {
  constructor(@Inject(DecisionHandlers) private readonly handlers: DecisionHandlers) {}

  @MessagePattern(Commands.requestAction)
  requestAction(@Payload() message: unknown): Promise<CommandReply> {
    return this.handlers.requestAction(parseMessage(requestActionCommandSchema, message, Commands.requestAction));
  }

  @MessagePattern(Commands.castVote)
  castVote(@Payload() message: unknown): Promise<CommandReply> {
    return this.handlers.castVote(parseMessage(castVoteCommandSchema, message, Commands.castVote));
  }

  @MessagePattern(Commands.cancelAction)
  cancelAction(@Payload() message: unknown): Promise<CommandReply> {
    return this.handlers.cancelAction(parseMessage(cancelActionCommandSchema, message, Commands.cancelAction));
  }

  @MessagePattern(Commands.reportExecution)
  reportExecution(@Payload() message: unknown): Promise<CommandReply> {
    return this.handlers.reportExecution(parseMessage(reportExecutionCommandSchema, message, Commands.reportExecution));
  }

  @MessagePattern(Commands.recordNotification)
  recordNotification(@Payload() message: unknown): Promise<CommandReply> {
    return this.handlers.recordNotification(parseMessage(recordNotificationCommandSchema, message, Commands.recordNotification));
  }

  @MessagePattern(Commands.revokeStandingApproval)
  revokeStandingApproval(@Payload() message: unknown): Promise<CommandReply> {
    return this.handlers.revokeStandingApproval(parseMessage(revokeStandingApprovalCommandSchema, message, Commands.revokeStandingApproval));
  }

  @MessagePattern(Commands.invokeBreakGlass)
  invokeBreakGlass(@Payload() message: unknown): Promise<CommandReply> {
    return this.handlers.invokeBreakGlass(parseMessage(invokeBreakGlassCommandSchema, message, Commands.invokeBreakGlass));
  }

  @MessagePattern(Commands.reviewBreakGlass)
  reviewBreakGlass(@Payload() message: unknown): Promise<CommandReply> {
    return this.handlers.reviewBreakGlass(parseMessage(reviewBreakGlassCommandSchema, message, Commands.reviewBreakGlass));
  }

  @MessagePattern(Commands.escalateApproval)
  escalateApproval(@Payload() message: unknown): Promise<CommandReply> {
    return this.handlers.escalateApproval(parseMessage(escalateApprovalCommandSchema, message, Commands.escalateApproval));
  }

  @MessagePattern(Commands.redeemGrant)
  redeemGrant(@Payload() message: unknown): Promise<CommandReply> {
    return this.handlers.redeemGrant(parseMessage(redeemGrantCommandSchema, message, Commands.redeemGrant));
  }

  @EventPattern(Topics.policyEvaluations)
  async policyEvaluated(@Payload() message: unknown): Promise<void> {
    const reply = await this.handlers.recordEvaluation(parseMessage(policyEvaluatedMessageSchema, message, Topics.policyEvaluations));
    // NOT_FOUND cannot heal by retrying; anything else unexpected is retried by the bus.
    if (!reply.ok && reply.code !== 'NOT_FOUND') throw new Error(`recording evaluation failed: ${reply.code}: ${reply.message}`);
  }
}

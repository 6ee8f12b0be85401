import type { LedgerEventData, LedgerEventMessage, LedgerEventRoutes, PolicyEvaluatedMessage } from '@approvals/contracts';
import { Topics, routeLedgerMessage } from '@approvals/contracts';
import type { Clock, IdGenerator } from '../ports/clock.port';
import type { MessagePublisher } from '../ports/messaging.port';
import type { PolicyEngine } from '../ports/policy-engine.port';
import { canonicalJson, sha256Hex } from '../ledger/event-hash';
import { traceFields } from '../trace-context';

/**
 * The policy evaluator: for each ActionRequested on the bus, evaluate the request with the
 * current policy set and publish PolicyEvaluated. Re-delivery re-evaluates and re-publishes;
 * the decision service records only the first evaluation of an action.
 */
export class PolicyEvaluationHandler {
  constructor(
    private readonly engine: PolicyEngine,
    private readonly publisher: MessagePublisher,
    private readonly clock: Clock,
    private readonly ids: IdGenerator,
  ) {}

  /** Only a request is evaluated; a new event type must say here whether it needs evaluating too. */
  private readonly routes: LedgerEventRoutes<Promise<void>, LedgerEventMessage> = {
    ActionRequested: (event, message) => this.evaluate(event.data, message),
    PolicyEvaluated: null,
    ApprovalRequested: null,
    ApprovalEscalated: null,
    ApprovalNotified: null,
    ApprovalNotificationFailed: null,
    VoteCast: null,
    VoteRejected: null,
    ActionApproved: null,
    ActionDenied: null,
    ActionExpired: null,
    ActionCancelled: null,
    ExecutionGrantIssued: null,
    ExecutionReported: null,
    ExecutionGrantRedeemed: null,
    GrantRedemptionRejected: null,
    ExecutionGrantRevoked: null,
    StandingApprovalGranted: null,
    StandingApprovalRevoked: null,
    BreakGlassInvoked: null,
    BreakGlassRejected: null,
    BreakGlassNotified: null,
    BreakGlassReviewed: null,
    PolicySetActivated: null,
    StandingApprovalIndexed: null,
    ChannelCallbackRejected: null,
    ChannelCallbacksRejected: null,
  };

  async onLedgerEvent(message: LedgerEventMessage): Promise<void> {
    await routeLedgerMessage(this.routes, message);
  }

  private async evaluate({ actionId, request }: LedgerEventData<'ActionRequested'>, message: LedgerEventMessage): Promise<void> {
    const decision = await this.engine.evaluate(request);
    const evaluated: PolicyEvaluatedMessage = {
      type: 'PolicyEvaluated',
      data: {
        actionId,
        outcome: decision.outcome,
        policyVersion: decision.policyVersion,
        determiningPolicies: decision.determiningPolicies,
        reasons: decision.reasons,
        ...(decision.requirement ? { requirement: decision.requirement } : {}),
        requestHash: sha256Hex(canonicalJson(request)),
        evaluatedAt: this.clock.now().toISOString(),
      },
      metadata: {
        messageId: this.ids.next(),
        correlationId: message.metadata.correlationId ?? actionId,
        causationId: message.metadata.messageId,
        occurredAt: this.clock.now().toISOString(),
        ...traceFields(message.metadata),
      },
    };
    await this.publisher.publish(Topics.policyEvaluations, actionId, evaluated);
  }
}

import type { LedgerEventMessage, PolicyEvaluatedMessage } from '@approvals/contracts';
import { Topics, actionRequestedDataSchema, parseMessage } from '@approvals/contracts';
import type { ActionRequest } from '@approvals/domain';
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

  async onLedgerEvent(message: LedgerEventMessage): Promise<void> {
    if (message.type !== 'ActionRequested') return;
    const { actionId, request } = parseMessage(actionRequestedDataSchema, message.data, 'ActionRequested data');
    const decision = await this.engine.evaluate(request as ActionRequest);
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

import type { LedgerEventMessage, TopicName } from '@approvals/contracts';
import { parseMessage, policyEvaluatedMessageSchema, Topics } from '@approvals/contracts';
import type { ActionRequest, ApprovalEventType } from '@approvals/domain';
import { approvalEventTypes } from '@approvals/domain';
import type { Clock, IdGenerator } from '../ports/clock.port';
import type { MessagePublisher } from '../ports/messaging.port';
import type { PolicyDecision, PolicyEngine } from '../ports/policy-engine.port';
import { canonicalJson, sha256Hex } from '../ledger/event-hash';
import { PolicyEvaluationHandler } from './policy-evaluation.handler';
import { sampleRequest } from '@approvals/testing';

const T0 = '2025-03-01T09:00:00.000Z';
const TRACEPARENT = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';
const TRACESTATE = 'vendor=opaque';
const actionId = 'act-1';

const request: ActionRequest = { ...sampleRequest };

const requireTwoOwners: PolicyDecision = {
  outcome: 'REQUIRE_APPROVAL',
  policyVersion: 'sha256:policies',
  determiningPolicies: ['export-prod'],
  reasons: ['exports in prod need two data owners'],
  requirement: { steps: [{ group: 'data-owners', minApprovals: 2 }], ttlSeconds: 900, denyEndsRequest: true },
};

/** Answers every request with `decision` and remembers what it was asked. */
class FakePolicyEngine implements PolicyEngine {
  readonly version = 'sha256:policies';
  readonly evaluated: ActionRequest[] = [];

  constructor(private readonly decision: PolicyDecision) {}

  evaluate(evaluated: ActionRequest): PolicyDecision {
    this.evaluated.push(evaluated);
    return this.decision;
  }
}

class RecordingPublisher implements MessagePublisher {
  readonly published: { topic: TopicName; key: string; message: unknown }[] = [];

  async publish(topic: TopicName, key: string, message: unknown): Promise<void> {
    this.published.push({ topic, key, message });
  }
}

function given(decision: PolicyDecision = requireTwoOwners) {
  const clock: Clock = { now: () => new Date(T0) };
  let count = 0;
  const ids: IdGenerator = { next: () => `msg-${++count}` };
  const engine = new FakePolicyEngine(decision);
  const publisher = new RecordingPublisher();
  return { engine, publisher, handler: new PolicyEvaluationHandler(engine, publisher, clock, ids) };
}

/** A ledger event as the outbox relay publishes it. */
function ledgerMessage(type: string, data: Record<string, unknown>, metadata: Partial<LedgerEventMessage['metadata']> = {}): LedgerEventMessage {
  return {
    type,
    data,
    metadata: {
      messageId: 'ledger-event-7',
      eventId: 'ledger-event-7',
      streamId: `action-${actionId}`,
      revision: 0,
      position: '7',
      occurredAt: T0,
      correlationId: 'corr-1',
      traceparent: TRACEPARENT,
      ...metadata,
    },
  };
}

const actionRequested = (metadata: Partial<LedgerEventMessage['metadata']> = {}) =>
  ledgerMessage('ActionRequested', { actionId, request, requestHash: 'sha256:request', requestedAt: T0 }, metadata);

describe('PolicyEvaluationHandler', () => {
  it("publishes PolicyEvaluated for ActionRequested with the engine's decision, keyed by the action id", async () => {
    const { engine, publisher, handler } = given();

    await handler.onLedgerEvent(actionRequested());

    expect(engine.evaluated).toEqual([request]);
    expect(publisher.published).toEqual([
      {
        topic: Topics.policyEvaluations,
        key: actionId,
        message: {
          type: 'PolicyEvaluated',
          data: {
            actionId,
            outcome: 'REQUIRE_APPROVAL',
            policyVersion: 'sha256:policies',
            determiningPolicies: ['export-prod'],
            reasons: ['exports in prod need two data owners'],
            requirement: requireTwoOwners.requirement,
            // The hash of what the engine saw, which the decision service compares with the recorded one.
            requestHash: sha256Hex(canonicalJson(engine.evaluated[0])),
            evaluatedAt: T0,
          },
          metadata: { messageId: 'msg-1', correlationId: 'corr-1', causationId: 'ledger-event-7', occurredAt: T0, traceparent: TRACEPARENT },
        },
      },
    ]);
  });

  it('publishes a message that meets the wire contract, with no requirement when the engine names none', async () => {
    const { publisher, handler } = given({ outcome: 'ALLOW', policyVersion: 'sha256:policies', determiningPolicies: ['read-only'], reasons: ['reads are fine'] });

    await handler.onLedgerEvent(actionRequested());

    const { message } = publisher.published[0]!;
    expect(parseMessage(policyEvaluatedMessageSchema, message, Topics.policyEvaluations)).toEqual(message);
    expect((message as { data: object }).data).not.toHaveProperty('requirement');
  });

  it('carries the whole W3C trace context of the request over (traceparent and tracestate)', async () => {
    const { publisher, handler } = given();

    await handler.onLedgerEvent(actionRequested({ tracestate: TRACESTATE }));

    expect((publisher.published[0]!.message as { metadata: object }).metadata).toMatchObject({ traceparent: TRACEPARENT, tracestate: TRACESTATE });
  });

  it('correlates by the action id when the ledger event has no correlation id, and invents no trace', async () => {
    const { publisher, handler } = given();

    await handler.onLedgerEvent(actionRequested({ correlationId: undefined, traceparent: undefined }));

    expect((publisher.published[0]!.message as { metadata: object }).metadata).toEqual({
      messageId: 'msg-1',
      correlationId: actionId,
      causationId: 'ledger-event-7',
      occurredAt: T0,
    });
  });

  it.each(approvalEventTypes.filter((type): type is Exclude<ApprovalEventType, 'ActionRequested'> => type !== 'ActionRequested'))(
    'ignores %s',
    async (type) => {
      const { engine, publisher, handler } = given();

      await handler.onLedgerEvent(ledgerMessage(type, { actionId }));

      expect(engine.evaluated).toEqual([]);
      expect(publisher.published).toEqual([]);
    },
  );
});

import type { ApprovalEvent, VoteDecision } from '@approvals/domain';
import type { EventMetadata, NewEvent } from '@approvals/application';

/** The trace every event of the scenario was produced under. */
export const TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';
export const TRACEPARENT = `00-${TRACE_ID}-00f067aa0ba902b7-01`;
export const POLICY_VERSION = 'sha256:9f2c1e0d';
export const GRANT_TOKEN = 'eyJhbGciOiJFZERTQSJ9.eyJhY3Rpb25JZCI6ImFjdC0xIn0.c2lnbmF0dXJl';

export type ScenarioOutcome = 'PENDING_POLICY' | 'AWAITING_APPROVAL' | 'APPROVED' | 'DENIED' | 'EXPIRED' | 'CANCELLED';

export interface ActionScenario {
  actionId: string;
  requestedAt: string;
  agentId?: string;
  onBehalfOf?: string;
  action?: string;
  environment?: string;
  outcome?: ScenarioOutcome;
  /** Approvers whose APPROVE votes count. */
  approvers?: string[];
}

const plus = (instant: string, seconds: number): string => new Date(Date.parse(instant) + seconds * 1000).toISOString();

/**
 * One action's ledger events, as the services would write them. With the defaults: request by
 * agent-reporting for olivia, policy REQUIRE_APPROVAL, a rejected self-approval by olivia, votes by
 * alice and bob, approval and a grant (the full realistic sequence, 9 events).
 */
export function actionEvents(scenario: ActionScenario): NewEvent[] {
  const {
    actionId,
    requestedAt,
    agentId = 'agent-reporting',
    onBehalfOf = 'olivia',
    action = 'dataset.export',
    environment = 'prod',
    outcome = 'APPROVED',
    approvers = ['alice', 'bob'],
  } = scenario;
  const events: NewEvent[] = [];
  let second = 0;
  const add = (event: ApprovalEvent, actor: EventMetadata['actor']): string => {
    const occurredAt = plus(requestedAt, second++);
    events.push({
      eventId: `${actionId}-e${events.length}`,
      type: event.type,
      data: event.data,
      metadata: { actionId, actor, occurredAt, traceparent: TRACEPARENT, correlationId: actionId },
    });
    return occurredAt;
  };
  const decision = { kind: 'service', id: 'decision' } as const;
  const approver = (id: string, channel: string) => ({ kind: 'approver', id, channel }) as const;
  const vote = (approverId: string, channel: string, decisionValue: VoteDecision): void => {
    add({ type: 'VoteCast', data: { actionId, approverId, channel, decision: decisionValue, groups: ['data-owners'], castAt: plus(requestedAt, second) } }, approver(approverId, channel));
  };

  add(
    {
      type: 'ActionRequested',
      data: {
        actionId,
        request: {
          agentId,
          model: 'claude-sonnet',
          onBehalfOf,
          action,
          resource: { kind: 'dataset', id: 'sales-2024' },
          environment,
          parameters: { rows: 250000, destination: 's3://exports/sales.csv', token: 'agent-supplied-secret' },
          justification: 'quarterly report',
          idempotencyKey: `${actionId}-key`,
        },
        requestHash: 'sha256:request',
        requestedAt,
      },
    },
    { kind: 'agent', id: agentId, model: 'claude-sonnet', onBehalfOf },
  );
  if (outcome === 'PENDING_POLICY') return events;
  const requirement = { steps: [{ group: 'data-owners', minApprovals: approvers.length || 1 }], ttlSeconds: 900, denyEndsRequest: true };
  add(
    {
      type: 'PolicyEvaluated',
      data: {
        actionId,
        outcome: 'REQUIRE_APPROVAL',
        policyVersion: POLICY_VERSION,
        determiningPolicies: ['export-large-prod'],
        reasons: ['exports over 100k rows in prod need a data owner'],
        requirement,
        evaluatedAt: plus(requestedAt, second),
      },
    },
    { kind: 'service', id: 'policy-evaluator' },
  );
  const expiresAt = plus(requestedAt, 900);
  add({ type: 'ApprovalRequested', data: { actionId, requirement, requestedAt: plus(requestedAt, second), expiresAt } }, decision);
  add({ type: 'ApprovalNotified', data: { actionId, channel: 'slack', target: '#data-approvals', notifiedAt: plus(requestedAt, second) } }, { kind: 'service', id: 'notifier' });
  add(
    {
      type: 'VoteRejected',
      data: {
        actionId,
        approverId: onBehalfOf,
        channel: 'slack',
        decision: 'APPROVE',
        reason: 'SELF_APPROVAL',
        detail: 'the action is requested on your behalf',
        attemptedAt: plus(requestedAt, second),
      },
    },
    approver(onBehalfOf, 'slack'),
  );
  switch (outcome) {
    case 'AWAITING_APPROVAL':
      return events;
    case 'APPROVED': {
      approvers.forEach((id, index) => vote(id, index === 0 ? 'cli' : 'slack', 'APPROVE'));
      add({ type: 'ActionApproved', data: { actionId, approvedBy: approvers, by: 'APPROVERS', approvedAt: plus(requestedAt, second) } }, decision);
      const issuedAt = plus(requestedAt, second);
      add(
        {
          type: 'ExecutionGrantIssued',
          data: { actionId, grantId: `${actionId}-grant`, agentId, requestHash: 'sha256:request', token: GRANT_TOKEN, issuedAt, expiresAt: plus(issuedAt, 300) },
        },
        decision,
      );
      return events;
    }
    case 'DENIED': {
      const denier = approvers[0] ?? 'alice';
      vote(denier, 'slack', 'DENY');
      add({ type: 'ActionDenied', data: { actionId, by: 'APPROVER', deniedBy: denier, reason: `denied by ${denier}`, deniedAt: plus(requestedAt, second) } }, decision);
      return events;
    }
    case 'EXPIRED':
      add({ type: 'ActionExpired', data: { actionId, expiresAt, expiredAt: expiresAt } }, decision);
      return events;
    case 'CANCELLED':
      add({ type: 'ActionCancelled', data: { actionId, cancelledBy: agentId, reason: 'no longer needed', cancelledAt: plus(requestedAt, second) } }, { kind: 'agent', id: agentId });
      return events;
  }
}

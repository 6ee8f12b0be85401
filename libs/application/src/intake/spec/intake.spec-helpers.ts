import type { RequestActionRequest__Output } from '@approvals/contracts';
import type { ActionRequest, ApprovalEvent, ApprovalRequirement } from '@approvals/domain';
import { toActionStreamId } from '@approvals/domain';
import type { InMemoryEventStore } from '@approvals/testing';
import { T0, at, directoryOf } from '@approvals/testing';
export { T0, fixedClock, at, sequentialIds, directoryOf, RecordingCommandSender, type SentCommand } from '@approvals/testing';

export const agentId = 'agent-reporting';
export const otherAgentId = 'agent-ops';

export const directory = directoryOf(
  [
    { id: 'olivia', name: 'Olivia', groups: ['analysts'] },
    { id: 'oscar', name: 'Oscar', groups: ['platform'] },
    { id: 'alice', name: 'Alice', groups: ['data-owners'] },
    { id: 'bob', name: 'Bob', groups: ['data-owners'] },
  ],
  [
    { id: agentId, owner: 'oscar' },
    { id: otherAgentId, owner: 'oscar' },
  ],
);

/** A valid RequestAction call as it arrives from gRPC. */
export const rpcRequest = (overrides: Partial<RequestActionRequest__Output> = {}): RequestActionRequest__Output => ({
  model: 'claude-sonnet',
  onBehalfOf: 'olivia',
  action: 'dataset.export',
  resource: { kind: 'dataset', id: 'customers' },
  environment: 'prod',
  dataClassification: 'pii',
  parametersJson: '{"rows":5000,"destination":"s3://exports/customers.csv"}',
  justification: 'quarterly report',
  idempotencyKey: 'key-1',
  runId: '',
  ...overrides,
});

/** The normalised request the intake derives from {@link rpcRequest} for {@link agentId}. */
export const actionRequest = (overrides: Partial<ActionRequest> = {}): ActionRequest => ({
  agentId,
  model: 'claude-sonnet',
  onBehalfOf: 'olivia',
  action: 'dataset.export',
  resource: { kind: 'dataset', id: 'customers' },
  environment: 'prod',
  dataClassification: 'pii',
  parameters: { rows: 5000, destination: 's3://exports/customers.csv' },
  justification: 'quarterly report',
  idempotencyKey: 'key-1',
  ...overrides,
});

export const twoDataOwners: ApprovalRequirement = { steps: [{ group: 'data-owners', minApprovals: 2 }], ttlSeconds: 900, denyEndsRequest: true };

/** The ledger events of one action, as the decision service writes them. */
export const events = {
  requested: (actionId: string, request: ActionRequest = actionRequest()): ApprovalEvent => ({
    type: 'ActionRequested',
    data: { actionId, request, requestHash: 'sha256:request', requestedAt: T0, agentOwner: 'oscar' },
  }),
  evaluated: (actionId: string, outcome: 'ALLOW' | 'DENY' | 'REQUIRE_APPROVAL'): ApprovalEvent => ({
    type: 'PolicyEvaluated',
    data: {
      actionId,
      outcome,
      policyVersion: 'sha256:policies',
      determiningPolicies: ['export-prod'],
      reasons: ['exports in prod need a data owner'],
      ...(outcome === 'REQUIRE_APPROVAL' ? { requirement: twoDataOwners } : {}),
      evaluatedAt: at(1),
    },
  }),
  approvalRequested: (actionId: string): ApprovalEvent => ({
    type: 'ApprovalRequested',
    data: { actionId, requirement: twoDataOwners, requestedAt: at(1), expiresAt: at(901) },
  }),
  notified: (actionId: string): ApprovalEvent => ({
    type: 'ApprovalNotified',
    data: { actionId, channel: 'log', target: 'approvers', notifiedAt: at(2) },
  }),
  voteCast: (actionId: string, approverId: string): ApprovalEvent => ({
    type: 'VoteCast',
    data: { actionId, approverId, channel: 'api', decision: 'APPROVE', groups: ['data-owners'], castAt: at(3) },
  }),
  approved: (actionId: string, approvedBy: string[] = ['alice', 'bob']): ApprovalEvent => ({
    type: 'ActionApproved',
    data: { actionId, approvedBy, by: approvedBy.length > 0 ? 'APPROVERS' : 'POLICY', approvedAt: at(3) },
  }),
  grantIssued: (actionId: string, grantId = 'grant-1'): ApprovalEvent => ({
    type: 'ExecutionGrantIssued',
    data: { actionId, grantId, agentId, requestHash: 'sha256:request', token: `token-${grantId}`, issuedAt: at(3), expiresAt: at(303) },
  }),
  denied: (actionId: string): ApprovalEvent => ({
    type: 'ActionDenied',
    data: { actionId, by: 'POLICY', reason: 'exports of pii are not allowed', deniedAt: at(1) },
  }),
  cancelled: (actionId: string): ApprovalEvent => ({
    type: 'ActionCancelled',
    data: { actionId, cancelledBy: agentId, reason: 'no longer needed', cancelledAt: at(4) },
  }),
};

let eventCount = 0;

/** Appends domain events to an action's stream in one append, as one decision would. */
export async function record(store: InMemoryEventStore, actionId: string, ...recorded: ApprovalEvent[]): Promise<void> {
  await store.appendToStream(
    toActionStreamId(actionId),
    recorded.map((event) => ({ eventId: `event-${++eventCount}`, type: event.type, data: event.data, metadata: { actionId } })),
  );
}

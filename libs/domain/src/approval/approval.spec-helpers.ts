import { parseLedgerEvent } from '@approvals/contracts';
import type { ApprovalCommand, CastVote } from './approval.commands';
import { decide, foldEvents } from './approval.decider';
import type {
  ActionRequest,
  ApprovalEvent,
  ApprovalRequirement,
  PolicyEvaluated,
  VoteCast,
  VoteDecision,
} from './approval.events';
import type { ApprovalState } from './approval.state';
import type { DomainErrorCode } from '../errors';

/**
 * Every event the aggregate records, as the ledger keeps it (JSON), matches its schema in the event
 * catalogue and parses back to itself: what the domain writes, every reader can read.
 */
export function expectInCatalogue(events: readonly ApprovalEvent[]): void {
  for (const event of events) {
    const recorded = JSON.parse(JSON.stringify(event.data)) as unknown;
    expect(parseLedgerEvent(event.type, recorded)).toEqual({ type: event.type, data: recorded });
  }
}

/** Given / when / then for the approval decider, after emmett's DeciderSpecification. */
export function given(history: readonly ApprovalEvent[]) {
  return {
    when(command: ApprovalCommand) {
      const result = decide(command, foldEvents(history));
      if (result.ok) expectInCatalogue(result.value);
      return {
        /** Asserts the produced events and returns the state after them. */
        then(expected: readonly ApprovalEvent[]): ApprovalState {
          expect(result).toEqual({ ok: true, value: expected });
          return foldEvents([...history, ...(result.ok ? result.value : [])]);
        },
        /** Asserts the command succeeded and returns the events it produced, for checks on parts of them. */
        produced(): ApprovalEvent[] {
          expect(result).toMatchObject({ ok: true });
          return result.ok ? result.value : [];
        },
        thenNothingHappens(): void {
          expect(result).toEqual({ ok: true, value: [] });
        },
        thenFails(code: DomainErrorCode, message?: RegExp): void {
          expect(result).toMatchObject({ ok: false, error: { code } });
          if (message && !result.ok) expect(result.error.message).toMatch(message);
        },
      };
    },
  };
}

export const actionId = 'act-1';
export const agentId = 'agent-7';
export const onBehalfOf = 'alice';
export const requestHash = 'hash-1';
export const T0 = '2025-01-01T00:00:00.000Z';

/** The instant `seconds` after T0. */
export const at = (seconds: number): string => new Date(Date.parse(T0) + seconds * 1000).toISOString();

export const request: ActionRequest = {
  agentId,
  model: 'model-x',
  onBehalfOf,
  action: 'dataset.export',
  resource: { kind: 'dataset', id: 'customers' },
  environment: 'prod',
  dataClassification: 'confidential',
  parameters: { rows: 1000 },
  justification: 'quarterly report',
  idempotencyKey: 'key-1',
};

export const requirement = (overrides: Partial<ApprovalRequirement> = {}): ApprovalRequirement => ({
  steps: [{ group: 'sec', minApprovals: 1 }],
  ttlSeconds: 600,
  denyEndsRequest: true,
  ...overrides,
});

export const commands = {
  requestAction: (hash = requestHash, now = T0): ApprovalCommand => ({
    type: 'RequestAction',
    data: { actionId, request, requestHash: hash },
    meta: { now },
  }),
  recordEvaluation: (
    outcome: PolicyEvaluated['data']['outcome'],
    req?: ApprovalRequirement,
    now = T0,
    reasons: string[] = ['policy says so'],
  ): ApprovalCommand => ({
    type: 'RecordEvaluation',
    data: { actionId, outcome, policyVersion: 'v1', determiningPolicies: ['p1'], reasons, requirement: req, requestHash },
    meta: { now },
  }),
  castVote: (
    approverId: string,
    groups: string[],
    decision: VoteDecision = 'APPROVE',
    now = at(10),
    comment?: string,
  ): CastVote => ({
    type: 'CastVote',
    data: { actionId, approver: { id: approverId, groups, channel: 'slack' }, decision, comment },
    meta: { now },
  }),
  expireApproval: (now: string): ApprovalCommand => ({ type: 'ExpireApproval', data: { actionId }, meta: { now } }),
  cancelAction: (cancelledBy = agentId, now = at(10)): ApprovalCommand => ({
    type: 'CancelAction',
    data: { actionId, cancelledBy, reason: 'no longer needed' },
    meta: { now },
  }),
  issueGrant: (grantId = 'grant-1', now = at(20)): ApprovalCommand => ({
    type: 'IssueGrant',
    data: { actionId, grantId, token: 'jws', expiresAt: at(320) },
    meta: { now },
  }),
  recordNotification: (now = at(5)): ApprovalCommand => ({
    type: 'RecordNotification',
    data: { actionId, channel: 'slack', target: '#approvals' },
    meta: { now },
  }),
  reportExecution: (grantId = 'grant-1', by = agentId, now = at(30)): ApprovalCommand => ({
    type: 'ReportExecution',
    data: { actionId, agentId: by, grantId, status: 'SUCCEEDED', detail: 'exported 1000 rows' },
    meta: { now },
  }),
};

export const events = {
  requested: (hash = requestHash): ApprovalEvent => ({
    type: 'ActionRequested',
    data: { actionId, request, requestHash: hash, requestedAt: T0 },
  }),
  evaluated: (
    outcome: PolicyEvaluated['data']['outcome'],
    req?: ApprovalRequirement,
    reasons: string[] = ['policy says so'],
  ): ApprovalEvent => ({
    type: 'PolicyEvaluated',
    data: {
      actionId,
      outcome,
      policyVersion: 'v1',
      determiningPolicies: ['p1'],
      reasons,
      ...(req ? { requirement: req } : {}),
      requestHash,
      evaluatedAt: T0,
    },
  }),
  approvalRequested: (req: ApprovalRequirement = requirement()): ApprovalEvent => ({
    type: 'ApprovalRequested',
    data: { actionId, requirement: req, requestedAt: T0, expiresAt: at(req.ttlSeconds) },
  }),
  voteCast: (approverId: string, groups: string[], decision: VoteDecision = 'APPROVE', castAt = at(10), comment?: string): VoteCast => ({
    type: 'VoteCast',
    data: { actionId, approverId, channel: 'slack', decision, groups, ...(comment !== undefined ? { comment } : {}), castAt },
  }),
  approvedByPolicy: (): ApprovalEvent => ({
    type: 'ActionApproved',
    data: { actionId, approvedBy: [], by: 'POLICY', approvedAt: T0 },
  }),
  approvedBy: (approvedBy: string[], approvedAt = at(10)): ApprovalEvent => ({
    type: 'ActionApproved',
    data: { actionId, approvedBy, by: 'APPROVERS', approvedAt },
  }),
  deniedByPolicy: (reason = 'policy says so'): ApprovalEvent => ({
    type: 'ActionDenied',
    data: { actionId, by: 'POLICY', reason, deniedAt: T0 },
  }),
  expired: (expiresAt: string, expiredAt: string): ApprovalEvent => ({
    type: 'ActionExpired',
    data: { actionId, expiresAt, expiredAt },
  }),
  cancelled: (cancelledAt = at(10)): ApprovalEvent => ({
    type: 'ActionCancelled',
    data: { actionId, cancelledBy: agentId, reason: 'no longer needed', cancelledAt },
  }),
  grantIssued: (grantId = 'grant-1'): ApprovalEvent => ({
    type: 'ExecutionGrantIssued',
    data: { actionId, grantId, agentId, requestHash, token: 'jws', issuedAt: at(20), expiresAt: at(320) },
  }),
  executionReported: (grantId = 'grant-1'): ApprovalEvent => ({
    type: 'ExecutionReported',
    data: { actionId, grantId, status: 'SUCCEEDED', detail: 'exported 1000 rows', reportedAt: at(30) },
  }),
};

/** Streams that reach each state the usual way. */
export const histories = {
  requested: (): ApprovalEvent[] => [events.requested()],
  awaiting: (req: ApprovalRequirement = requirement()): ApprovalEvent[] => [
    events.requested(),
    events.evaluated('REQUIRE_APPROVAL', req),
    events.approvalRequested(req),
  ],
  approvedByPolicy: (): ApprovalEvent[] => [events.requested(), events.evaluated('ALLOW'), events.approvedByPolicy()],
  deniedByPolicy: (): ApprovalEvent[] => [events.requested(), events.evaluated('DENY'), events.deniedByPolicy()],
  approvedByHumans: (): ApprovalEvent[] => [
    ...histories.awaiting(),
    events.voteCast('bob', ['sec']),
    events.approvedBy(['bob']),
  ],
  expired: (): ApprovalEvent[] => [...histories.awaiting(), events.expired(at(600), at(600))],
  cancelled: (): ApprovalEvent[] => [events.requested(), events.cancelled()],
  granted: (): ApprovalEvent[] => [...histories.approvedByPolicy(), events.grantIssued()],
};

/** The VoteRejected event a `castVote` command produces for `reason`. */
export const rejected = (command: CastVote, reason: string): ApprovalEvent =>
  expect.objectContaining({
    type: 'VoteRejected',
    data: expect.objectContaining({
      actionId,
      approverId: command.data.approver.id,
      decision: command.data.decision,
      reason,
      attemptedAt: command.meta.now,
    }),
  }) as ApprovalEvent;

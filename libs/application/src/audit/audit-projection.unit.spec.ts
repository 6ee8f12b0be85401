import { applyActionChange, type ActionRecord } from './action-record';
import { projectEvent } from './audit-projection';
import { describeActor, REDACTED, redactSecrets, summarizeEvent, traceIdOf } from './event-description';
import { actionEvents, GRANT_TOKEN, InMemoryEventStore, POLICY_VERSION, TRACE_ID } from '@approvals/testing';

async function recordedScenario() {
  const ledger = new InMemoryEventStore();
  await ledger.appendToStream('action-act-1', actionEvents({ actionId: 'act-1', requestedAt: '2025-03-01T09:00:00Z' }));
  return ledger.log;
}

describe('projectEvent', () => {
  it('turns each event of an approved action into a readable timeline entry', async () => {
    const events = await recordedScenario();

    const entries = events.map((event) => projectEvent(event)!.entry);

    expect(entries.map((entry) => entry.summary)).toEqual([
      'ActionRequested: agent-reporting (claude-sonnet) on behalf of olivia requests dataset.export on dataset:sales-2024 in prod',
      `PolicyEvaluated: REQUIRE_APPROVAL by export-large-prod (policy ${POLICY_VERSION}): exports over 100k rows in prod need a data owner`,
      'ApprovalRequested: needs 2 from data-owners, expires 2025-03-01T09:15:00.000Z',
      'ApprovalNotified: sent to #data-approvals via slack',
      'VoteRejected: olivia (SELF_APPROVAL) tried to approve via slack: the action is requested on your behalf',
      'VoteCast: alice approved via cli',
      'VoteCast: bob approved via slack',
      'ActionApproved: approved by alice, bob',
      'ExecutionGrantIssued: grant act-1-grant for agent-reporting, valid until 2025-03-01T09:05:08.000Z',
    ]);
    expect(entries.map((entry) => entry.actor)).toEqual([
      'agent:agent-reporting',
      'service:policy-evaluator',
      'service:decision',
      'service:notifier',
      'approver:olivia via slack',
      'approver:alice via cli',
      'approver:bob via slack',
      'service:decision',
      'service:decision',
    ]);
    expect(entries.map((entry) => entry.revision)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8]);
    expect(entries.every((entry) => entry.traceId === TRACE_ID && entry.actionId === 'act-1')).toBe(true);
    expect(entries[0]!.prevHash).toBe('');
    expect(entries[1]!.prevHash).toBe(entries[0]!.hash);
  });

  it('never lets the grant token (or a secret-named parameter) into the read model', async () => {
    const events = await recordedScenario();

    const projected = events.map((event) => projectEvent(event)!);

    const grant = JSON.parse(projected[8]!.entry.dataJson) as Record<string, unknown>;
    expect(grant['token']).toBe(REDACTED);
    expect(grant['grantId']).toBe('act-1-grant');
    const everything = JSON.stringify(projected, (_key, value: unknown) => (typeof value === 'bigint' ? value.toString() : value));
    expect(everything).not.toContain(GRANT_TOKEN);
    expect(everything).not.toContain('agent-supplied-secret');
    expect(events[8]!.data).toMatchObject({ token: GRANT_TOKEN });
  });

  it('folds the events into the action row with the status mapping', async () => {
    const events = await recordedScenario();

    let action: ActionRecord | undefined;
    const statuses: string[] = [];
    for (const event of events) {
      const change = projectEvent(event)!.change;
      if (change) action = applyActionChange(action, change);
      statuses.push(action!.status);
    }

    expect(statuses).toEqual([
      'PENDING_POLICY',
      'PENDING_POLICY',
      'AWAITING_APPROVAL',
      'AWAITING_APPROVAL',
      'AWAITING_APPROVAL',
      'AWAITING_APPROVAL',
      'AWAITING_APPROVAL',
      'APPROVED',
      'APPROVED',
    ]);
    expect(action).toEqual({
      actionId: 'act-1',
      status: 'APPROVED',
      agentId: 'agent-reporting',
      onBehalfOf: 'olivia',
      action: 'dataset.export',
      resourceKind: 'dataset',
      resourceId: 'sales-2024',
      environment: 'prod',
      requestedAt: '2025-03-01T09:00:00Z',
      requestedAtMs: Date.parse('2025-03-01T09:00:00Z'),
      decidedAt: '2025-03-01T09:00:07.000Z',
      approvedBy: ['alice', 'bob'],
      voters: ['olivia', 'alice', 'bob'],
      policyVersion: POLICY_VERSION,
      reason: 'approved by alice, bob',
    });
  });

  it('ignores events outside action streams and keeps unknown event types as plain entries', async () => {
    const ledger = new InMemoryEventStore();
    await ledger.appendToStream('outbox-1', [{ eventId: 'o1', type: 'Relayed', data: {}, metadata: {} }]);
    await ledger.appendToStream('action-x', [{ eventId: 'x1', type: 'SomethingNew', data: { a: 1 }, metadata: {} }]);

    expect(projectEvent(ledger.log[0]!)).toBeUndefined();
    const projected = projectEvent(ledger.log[1]!)!;
    expect(projected.entry).toMatchObject({ actionId: 'x', summary: 'SomethingNew', actor: '', traceId: '', dataJson: '{"a":1}' });
    expect(projected.change).toBeUndefined();
  });
});

describe('applyActionChange', () => {
  const requested: ActionRecord = {
    actionId: 'a',
    status: 'PENDING_POLICY',
    agentId: 'agent',
    onBehalfOf: '',
    action: 'x',
    resourceKind: 'k',
    resourceId: 'i',
    environment: 'dev',
    requestedAt: '2025-01-01T00:00:00Z',
    requestedAtMs: 0,
    decidedAt: '',
    approvedBy: [],
    voters: [],
    policyVersion: '',
    reason: '',
  };

  it('never changes a final outcome, but still records late voters', () => {
    const denied = applyActionChange(requested, { actionId: 'a', status: 'DENIED', decidedAt: '2025-01-01T00:01:00Z', reason: 'no' })!;

    const afterLateApproval = applyActionChange(denied, { actionId: 'a', status: 'APPROVED', decidedAt: 'later', approvedBy: ['bob'], reason: 'yes' });
    const afterLateVote = applyActionChange(denied, { actionId: 'a', voter: 'carol' });

    expect(afterLateApproval).toBe(denied);
    expect(afterLateVote).toEqual({ ...denied, voters: ['carol'] });
  });

  it('creates a row only from the first request and counts a voter once', () => {
    expect(applyActionChange(undefined, { actionId: 'a', voter: 'bob' })).toBeUndefined();
    const again = applyActionChange(requested, { actionId: 'a', requested: { ...requested, agentId: 'other' } });
    expect(again).toBe(requested);
    const once = applyActionChange(requested, { actionId: 'a', voter: 'bob' })!;
    expect(applyActionChange(once, { actionId: 'a', voter: 'bob' })).toEqual(once);
  });
});

describe('event descriptions', () => {
  it('formats actors', () => {
    expect(describeActor({ kind: 'agent', id: 'agent-reporting', model: 'm' })).toBe('agent:agent-reporting');
    expect(describeActor({ kind: 'approver', id: 'alice', channel: 'cli' })).toBe('approver:alice via cli');
    expect(describeActor({ kind: 'approver', id: 'alice' })).toBe('approver:alice');
    expect(describeActor({ kind: 'service', id: 'decision' })).toBe('service:decision');
    expect(describeActor(undefined)).toBe('');
  });

  it.each([
    ['00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01', '4bf92f3577b34da6a3ce929d0e0e4736'],
    ['01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-future', '4bf92f3577b34da6a3ce929d0e0e4736'],
    ['00-00000000000000000000000000000000-00f067aa0ba902b7-01', ''],
    ['00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01', ''],
    ['ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01', ''],
    ['00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01', ''],
    ['garbage', ''],
    [undefined, ''],
  ])('reads the trace id of %s', (traceparent, expected) => {
    expect(traceIdOf(traceparent)).toBe(expected);
  });

  it('redacts secret-named fields at any depth without touching the input', () => {
    const input = { grantId: 'g', token: 't', nested: [{ apiKey: 'k', keep: 1 }], Password: 'p' };

    expect(redactSecrets(input)).toEqual({ grantId: 'g', token: REDACTED, nested: [{ apiKey: REDACTED, keep: 1 }], Password: REDACTED });
    expect(input.token).toBe('t');
  });

  it('summarizes the other outcomes', () => {
    expect(summarizeEvent({ type: 'ActionDenied', data: { actionId: 'a', by: 'POLICY', reason: 'prod is frozen', deniedAt: 't' } })).toBe(
      'ActionDenied: denied by policy: prod is frozen',
    );
    expect(summarizeEvent({ type: 'ActionApproved', data: { actionId: 'a', by: 'POLICY', approvedBy: [], approvedAt: 't' } })).toBe(
      'ActionApproved: allowed by policy',
    );
    expect(summarizeEvent({ type: 'ActionExpired', data: { actionId: 'a', expiresAt: 'T', expiredAt: 'T' } })).toBe('ActionExpired: no decision before T');
    expect(summarizeEvent({ type: 'ActionCancelled', data: { actionId: 'a', cancelledBy: 'agent-1', reason: 'obsolete', cancelledAt: 't' } })).toBe(
      'ActionCancelled: cancelled by agent-1: obsolete',
    );
    expect(summarizeEvent({ type: 'ExecutionReported', data: { actionId: 'a', grantId: 'g', status: 'FAILED', detail: 'timeout', reportedAt: 't' } })).toBe(
      'ExecutionReported: FAILED with grant g: timeout',
    );
  });
});

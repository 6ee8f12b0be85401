import { rmSync } from 'node:fs';
import type { ApprovalsClient } from '@approvals/client';
import { collect, createApprovalsClient, serverStream, unary } from '@approvals/client';
import type { TestSystem } from '@approvals/testing';
import { modes, startSystem } from '@approvals/testing';
import { actionRequest, awaitOutcome, clientAs, demoKey, eventually, failure, policiesWithTtl } from './support';

jest.setTimeout(60_000);

// The same scenarios in both modes: one real embedded server (a child process), or the five
// services as five processes over the real Kafka broker; free ports and a fresh data directory,
// driven over gRPC exactly as an agent, an approver and an auditor would.
describe.each(modes)('%s mode end to end', (mode) => {
  let server: TestSystem;
  let agent: ApprovalsClient;
  let alice: ApprovalsClient;
  let bob: ApprovalsClient;
  let carol: ApprovalsClient;
  let dave: ApprovalsClient;

  beforeAll(async () => {
    server = await startSystem(mode);
    agent = clientAs(server.addresses, 'agent-reporting');
    alice = clientAs(server.addresses, 'alice');
    bob = clientAs(server.addresses, 'bob');
    carol = clientAs(server.addresses, 'carol');
    dave = clientAs(server.addresses, 'dave');
  });

  afterAll(async () => {
    for (const client of [agent, alice, bob, carol, dave]) client?.close();
    await server?.dispose();
  });

  const largeExport = (overrides = {}) =>
    actionRequest({ action: 'db.export', parametersJson: JSON.stringify({ rows: 5000 }), ...overrides });

  it('auto-allows a read-only action and issues a grant bound to the request', async () => {
    const created = await unary(agent.intake, 'RequestAction', actionRequest({ action: 'db.read' }));
    expect(created.created).toBe(true);

    const outcome = await awaitOutcome(agent, created.actionId);
    expect(outcome.decided).toBe(true);
    expect(outcome.action?.status).toBe('APPROVED');
    expect(outcome.action?.evaluation?.outcome).toBe('ALLOW');
    expect(outcome.action?.evaluation?.determiningPolicies).toEqual(['read-only-actions-allowed']);
    expect(outcome.action?.grant?.token.split('.')).toHaveLength(3);

    const timeline = await eventually(
      () => unary(alice.audit, 'GetTimeline', { actionId: created.actionId }),
      (t) => t.entries.length >= 4,
    );
    expect(timeline.entries.map((e) => e.type)).toEqual(['ActionRequested', 'PolicyEvaluated', 'ActionApproved', 'ExecutionGrantIssued']);
    expect(JSON.stringify(timeline)).not.toContain(outcome.action!.grant!.token);
  });

  it('denies what the policy forbids and records why', async () => {
    const created = await unary(agent.intake, 'RequestAction', actionRequest({ action: 'infra.delete', resource: { kind: 'cluster', id: 'eu-1' } }));
    const outcome = await awaitOutcome(agent, created.actionId);
    expect(outcome.action?.status).toBe('DENIED');
    expect(outcome.action?.evaluation?.determiningPolicies).toContain('infra-delete-prod-forbidden');
    expect(outcome.action?.grant).toBeNull();
  });

  it('waits for a data owner, who approves; the outcome reaches the agent and the audit trail', async () => {
    const created = await unary(agent.intake, 'RequestAction', largeExport());
    const pending = await awaitOutcome(agent, created.actionId, 300);
    expect(pending.decided).toBe(false);
    expect(pending.action?.status).toBe('AWAITING_APPROVAL');
    expect(pending.action?.approval?.steps).toEqual([{ group: 'data-owners', minApprovals: 1 }]);

    const inbox = await eventually(
      () => unary(alice.decisions, 'ListPending', { onlyMine: true, limit: 100 }),
      (r) => r.items.some((i) => i.actionId === created.actionId),
    );
    expect(inbox.items.map((i) => i.actionId)).toContain(created.actionId);
    const carolsInbox = await unary(carol.decisions, 'ListPending', { onlyMine: true, limit: 100 });
    expect(carolsInbox.items.map((i) => i.actionId)).not.toContain(created.actionId);

    const watch = collect(serverStream(agent.intake, 'WatchAction', { actionId: created.actionId }));
    const vote = await unary(alice.decisions, 'CastVote', { actionId: created.actionId, decision: 'APPROVE', comment: 'ok for the quarterly report' });
    expect(vote).toMatchObject({ accepted: true, status: 'APPROVED' });

    const statuses = (await watch).map((v) => v.status);
    expect(statuses[statuses.length - 1]).toBe('APPROVED');
    const approved = await unary(agent.intake, 'GetAction', { actionId: created.actionId });
    expect(approved.grant?.grantId).toBeTruthy();

    const timeline = await eventually(
      () => unary(alice.audit, 'GetTimeline', { actionId: created.actionId }),
      (t) => t.entries.some((e) => e.type === 'ExecutionGrantIssued'),
    );
    const types = timeline.entries.map((e) => e.type);
    expect(types).toEqual(expect.arrayContaining(['ApprovalRequested', 'ApprovalNotified', 'VoteCast', 'ActionApproved', 'ExecutionGrantIssued']));
    expect(types.indexOf('VoteCast')).toBeLessThan(types.indexOf('ActionApproved'));
    const found = await eventually(
      () => unary(alice.audit, 'SearchActions', { approverId: 'alice', status: 'APPROVED', limit: 50 }),
      (r) => r.items.some((i) => i.actionId === created.actionId),
    );
    expect(found.items.map((i) => i.actionId)).toContain(created.actionId);
  });

  it('rejects and records an approval by the human the agent acts for', async () => {
    const created = await unary(agent.intake, 'RequestAction', largeExport({ onBehalfOf: 'alice' }));
    await awaitOutcome(agent, created.actionId, 300);

    const vote = await unary(alice.decisions, 'CastVote', { actionId: created.actionId, decision: 'APPROVE' });
    expect(vote).toMatchObject({ accepted: false, rejectionReason: 'SELF_APPROVAL', status: 'AWAITING_APPROVAL' });

    const timeline = await eventually(
      () => unary(bob.audit, 'GetTimeline', { actionId: created.actionId }),
      (t) => t.entries.some((e) => e.type === 'VoteRejected'),
    );
    expect(timeline.entries.find((e) => e.type === 'VoteRejected')?.dataJson).toContain('SELF_APPROVAL');
    expect((await unary(agent.intake, 'GetAction', { actionId: created.actionId })).status).toBe('AWAITING_APPROVAL');

    await unary(bob.decisions, 'CastVote', { actionId: created.actionId, decision: 'DENY', comment: 'not this quarter' });
    expect((await awaitOutcome(agent, created.actionId)).action?.status).toBe('DENIED');
  });

  it("rejects a vote by the agent's accountable owner (I1)", async () => {
    const ops = clientAs(server.addresses, 'agent-ops'); // owned by dave
    try {
      const created = await unary(ops.intake, 'RequestAction', actionRequest({ action: 'iam.escalate', resource: { kind: 'role', id: 'admin' } }));
      await awaitOutcome(ops, created.actionId, 300);
      const inbox = await eventually(
        () => unary(carol.decisions, 'ListPending', { onlyMine: true, limit: 100 }),
        (r) => r.items.some((i) => i.actionId === created.actionId),
      );
      expect(inbox.items.map((i) => i.actionId)).toContain(created.actionId);
      expect((await unary(dave.decisions, 'ListPending', { onlyMine: true, limit: 100 })).items.map((i) => i.actionId)).not.toContain(
        created.actionId,
      );
      expect(await unary(dave.decisions, 'CastVote', { actionId: created.actionId, decision: 'APPROVE' })).toMatchObject({
        accepted: false,
        rejectionReason: 'SELF_APPROVAL',
        status: 'AWAITING_APPROVAL',
      });
    } finally {
      ops.close();
    }
  });

  it('needs two different security approvers; a second vote by the same person does not count', async () => {
    const created = await unary(agent.intake, 'RequestAction', actionRequest({ action: 'iam.escalate', resource: { kind: 'role', id: 'admin' } }));
    await awaitOutcome(agent, created.actionId, 300);

    expect(await unary(carol.decisions, 'CastVote', { actionId: created.actionId, decision: 'APPROVE' })).toMatchObject({
      accepted: true,
      status: 'AWAITING_APPROVAL',
    });
    expect(await unary(carol.decisions, 'CastVote', { actionId: created.actionId, decision: 'APPROVE' })).toMatchObject({
      accepted: false,
      rejectionReason: 'DUPLICATE_VOTE',
      status: 'AWAITING_APPROVAL',
    });
    expect(await unary(alice.decisions, 'CastVote', { actionId: created.actionId, decision: 'APPROVE' })).toMatchObject({
      accepted: false,
      rejectionReason: 'NOT_ELIGIBLE',
    });
    expect(await unary(dave.decisions, 'CastVote', { actionId: created.actionId, decision: 'APPROVE' })).toMatchObject({
      accepted: true,
      status: 'APPROVED',
    });
    const outcome = await awaitOutcome(agent, created.actionId);
    expect(outcome.action?.approval?.votes.map((v) => v.approverId)).toEqual(['carol', 'dave']);
  });

  it('returns the same action for a retried request and refuses the same key with another payload', async () => {
    const request = actionRequest({ action: 'db.read' });
    const first = await unary(agent.intake, 'RequestAction', request);
    const retry = await unary(agent.intake, 'RequestAction', request);
    expect(retry).toMatchObject({ actionId: first.actionId, created: false });

    const conflict = await failure(unary(agent.intake, 'RequestAction', { ...request, resource: { kind: 'dataset', id: 'other' } }));
    expect(conflict.status).toBe('ALREADY_EXISTS');
    expect(conflict.details).toMatch(/idempotency/i);

    const timeline = await eventually(
      () => unary(alice.audit, 'GetTimeline', { actionId: first.actionId }),
      (t) => t.entries.length >= 4,
    );
    expect(timeline.entries.filter((e) => e.type === 'ActionRequested')).toHaveLength(1);
  });

  it('answers malformed and unauthenticated calls with precise errors and changes nothing', async () => {
    const before = await unary(alice.audit, 'SearchActions', { limit: 500 });

    const missing = await failure(unary(agent.intake, 'RequestAction', actionRequest({ action: '', environment: 'PROD!' })));
    expect(missing.status).toBe('INVALID_ARGUMENT');
    expect(missing.violations.map((v) => v.field).sort()).toEqual(['action', 'environment']);

    const badJson = await failure(unary(agent.intake, 'RequestAction', actionRequest({ parametersJson: '{"rows": ' })));
    expect(badJson).toMatchObject({ status: 'INVALID_ARGUMENT', violations: [{ field: 'parameters_json' }] });

    const huge = await failure(unary(agent.intake, 'RequestAction', actionRequest({ parametersJson: JSON.stringify({ blob: 'x'.repeat(70_000) }) })));
    expect(huge.status).toBe('INVALID_ARGUMENT');
    expect(huge.details).toContain('65536 bytes');

    // A whole message over the server's limit is refused before any handler sees it.
    const bulky = createApprovalsClient({
      address: server.addresses,
      apiKey: demoKey('agent-reporting'),
      channelOptions: { 'grpc.max_send_message_length': 4 * 1024 * 1024 },
    });
    const oversized = await failure(unary(bulky.intake, 'RequestAction', actionRequest({ justification: 'x'.repeat(400_000) })));
    bulky.close();
    expect(oversized.status).toBe('RESOURCE_EXHAUSTED');

    const unknownHuman = await failure(unary(agent.intake, 'RequestAction', actionRequest({ onBehalfOf: 'mallory' })));
    expect(unknownHuman.violations).toEqual([{ field: 'on_behalf_of', description: expect.stringContaining('mallory') }]);

    const anonymous = createApprovalsClient({ address: server.addresses });
    const noKey = await failure(unary(anonymous.intake, 'RequestAction', actionRequest()));
    anonymous.close();
    expect(noKey.status).toBe('UNAUTHENTICATED');

    const humanAsAgent = await failure(unary(alice.intake, 'RequestAction', actionRequest()));
    expect(humanAsAgent.status).toBe('PERMISSION_DENIED');

    const badId = await failure(unary(agent.intake, 'GetAction', { actionId: 'not-an-id' }));
    expect(badId).toMatchObject({ status: 'INVALID_ARGUMENT', violations: [{ field: 'action_id' }] });

    // The projector follows the ledger in global order: once a later action is visible, anything
    // the bad calls had appended before it would be visible too.
    const sentinel = await unary(agent.intake, 'RequestAction', actionRequest({ action: 'db.read' }));
    const after = await eventually(
      () => unary(alice.audit, 'SearchActions', { limit: 500 }),
      (r) => r.items.some((i) => i.actionId === sentinel.actionId),
    );
    expect(after.items.length).toBe(before.items.length + 1);
  });
});

describe.each(modes)('%s mode: expiry and restarts', (mode) => {
  const policyDir = policiesWithTtl(2);
  afterAll(() => rmSync(policyDir, { recursive: true, force: true }));

  it('expires an unanswered request (silence is never consent) and rejects late votes', async () => {
    const server = await startSystem(mode, { env: { APPROVALS_POLICY_DIR: policyDir } });
    const agent = clientAs(server.addresses, 'agent-reporting');
    const alice = clientAs(server.addresses, 'alice');
    try {
      const created = await unary(agent.intake, 'RequestAction', actionRequest({ action: 'db.export', parametersJson: '{"rows":5000}' }));
      const outcome = await awaitOutcome(agent, created.actionId, 10_000);
      expect(outcome.action?.status).toBe('EXPIRED');
      expect(outcome.action?.grant).toBeNull();
      const late = await unary(alice.decisions, 'CastVote', { actionId: created.actionId, decision: 'APPROVE' });
      expect(late).toMatchObject({ accepted: false, rejectionReason: 'ALREADY_DECIDED', status: 'EXPIRED' });
    } finally {
      agent.close();
      alice.close();
      await server.dispose();
    }
  });

  it('after a crash, a pending approval can still be approved', async () => {
    const server = await startSystem(mode);
    let agent = clientAs(server.addresses, 'agent-reporting');
    const created = await unary(agent.intake, 'RequestAction', actionRequest({ action: 'db.export', parametersJson: '{"rows":5000}' }));
    expect((await awaitOutcome(agent, created.actionId, 300)).action?.status).toBe('AWAITING_APPROVAL');
    agent.close();
    await server.kill();

    await server.spawn();
    agent = clientAs(server.addresses, 'agent-reporting');
    const bob = clientAs(server.addresses, 'bob');
    try {
      // The notifier may learn of the request only after the restart (distributed mode): wait for it.
      const inbox = await eventually(
        () => unary(bob.decisions, 'ListPending', { onlyMine: true, limit: 100 }),
        (r) => r.items.some((i) => i.actionId === created.actionId),
      );
      expect(inbox.items.map((i) => i.actionId)).toContain(created.actionId);
      expect(await unary(bob.decisions, 'CastVote', { actionId: created.actionId, decision: 'APPROVE' })).toMatchObject({
        accepted: true,
        status: 'APPROVED',
      });
      expect((await awaitOutcome(agent, created.actionId)).action?.grant?.grantId).toBeTruthy();
    } finally {
      agent.close();
      bob.close();
      await server.dispose();
    }
  });

  it('a request whose deadline passed while the server was down expires after the restart', async () => {
    const server = await startSystem(mode, { env: { APPROVALS_POLICY_DIR: policyDir } });
    let agent = clientAs(server.addresses, 'agent-reporting');
    const created = await unary(agent.intake, 'RequestAction', actionRequest({ action: 'db.export', parametersJson: '{"rows":5000}' }));
    expect((await awaitOutcome(agent, created.actionId, 300)).action?.status).toBe('AWAITING_APPROVAL');
    agent.close();
    await server.kill();
    await new Promise((r) => setTimeout(r, 2500));

    await server.spawn();
    agent = clientAs(server.addresses, 'agent-reporting');
    try {
      const outcome = await awaitOutcome(agent, created.actionId, 5000);
      expect(outcome.action?.status).toBe('EXPIRED');
    } finally {
      agent.close();
      await server.dispose();
    }
  });
});

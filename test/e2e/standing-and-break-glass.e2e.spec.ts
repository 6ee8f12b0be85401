import { randomUUID } from 'node:crypto';
import type { ApprovalsClient } from '@approvals/client';
import { unary } from '@approvals/client';
import type { TestSystem } from '@approvals/testing';
import { modes, startSystem } from '@approvals/testing';
import { actionRequest, awaitOutcome, clientAs, eventually, failure } from './support';

jest.setTimeout(60_000);

// Fatigue controls that stay accountable, in both modes, against the demo policy set: large prod
// exports let the data owner grant a standing approval of up to 30 minutes (@standing("1800")),
// infrastructure deletions outside prod offer break-glass to sre-oncall (grace), reviewed by security.
describe.each(modes)('%s mode: standing approvals and break-glass', (mode) => {
  let server: TestSystem;
  let agent: ApprovalsClient;
  let ops: ApprovalsClient;
  let alice: ApprovalsClient;
  let bob: ApprovalsClient;
  let carol: ApprovalsClient;
  let dave: ApprovalsClient;
  let grace: ApprovalsClient;

  beforeAll(async () => {
    server = await startSystem(mode);
    agent = clientAs(server.addresses, 'agent-reporting');
    ops = clientAs(server.addresses, 'agent-ops');
    alice = clientAs(server.addresses, 'alice');
    bob = clientAs(server.addresses, 'bob');
    carol = clientAs(server.addresses, 'carol');
    dave = clientAs(server.addresses, 'dave');
    grace = clientAs(server.addresses, 'grace');
  });

  afterAll(async () => {
    for (const client of [agent, ops, alice, bob, carol, dave, grace]) client?.close();
    await server?.dispose();
  });

  /** A large prod export with parameters no other test uses, so no other standing approval covers it. */
  const uniqueExport = (report: string, overrides = {}) =>
    actionRequest({ action: 'db.export', parametersJson: JSON.stringify({ rows: 5000, report }), ...overrides });

  const timelineTypes = async (actionId: string, until: string) => {
    const timeline = await eventually(
      () => unary(alice.audit, 'GetTimeline', { actionId }),
      (t) => t.entries.some((e) => e.type === until),
    );
    return timeline.entries;
  };

  it('a standing approval approves identical requests at once, citing the approval that granted it, until it is revoked', async () => {
    const report = randomUUID();
    const first = await unary(agent.intake, 'RequestAction', uniqueExport(report));
    expect((await awaitOutcome(agent, first.actionId, 300)).action?.approval?.standingMaxSeconds).toBe(1800);

    // Longer than the policy allows: refused, nothing recorded, still waiting.
    const tooLong = await failure(
      unary(alice.decisions, 'CastVote', { actionId: first.actionId, decision: 'APPROVE', standing: { seconds: 1801, thisRunOnly: false } }),
    );
    expect(tooLong.status).toBe('INVALID_ARGUMENT');
    expect(tooLong.details).toContain('at most 1800');
    expect((await unary(agent.intake, 'GetAction', { actionId: first.actionId })).status).toBe('AWAITING_APPROVAL');

    const vote = await unary(alice.decisions, 'CastVote', {
      actionId: first.actionId,
      decision: 'APPROVE',
      comment: 'the weekly report may re-run',
      standing: { seconds: 600, thisRunOnly: false },
    });
    expect(vote).toMatchObject({ accepted: true, status: 'APPROVED' });
    const granted = await unary(agent.intake, 'GetAction', { actionId: first.actionId });
    expect(granted.standingApproval).toMatchObject({ scope: 'DURATION', approvedBy: ['alice'], revokedAt: '' });

    const again = await unary(agent.intake, 'RequestAction', uniqueExport(report));
    const covered = await awaitOutcome(agent, again.actionId);
    expect(covered.action).toMatchObject({ status: 'APPROVED', approvedVia: 'STANDING_APPROVAL', standingApprovalOf: first.actionId });
    expect(covered.action?.grant?.grantId).toBeTruthy();
    const entries = await timelineTypes(again.actionId, 'ExecutionGrantIssued');
    expect(entries.map((e) => e.type)).toEqual(['ActionRequested', 'PolicyEvaluated', 'ActionApproved', 'ExecutionGrantIssued']);
    expect(entries[2]!.dataJson).toContain(first.actionId);

    // Other parameters are another request: humans are asked again.
    const other = await unary(agent.intake, 'RequestAction', uniqueExport(`${report}-other`));
    expect((await awaitOutcome(agent, other.actionId, 300)).action?.status).toBe('AWAITING_APPROVAL');

    expect(await unary(bob.decisions, 'RevokeStandingApproval', { actionId: first.actionId, reason: 'the report is final' })).toMatchObject({
      status: 'APPROVED',
    });
    const afterRevocation = await unary(agent.intake, 'RequestAction', uniqueExport(report));
    expect((await awaitOutcome(agent, afterRevocation.actionId, 300)).action?.status).toBe('AWAITING_APPROVAL');
    expect((await timelineTypes(first.actionId, 'StandingApprovalRevoked')).map((e) => e.type)).toContain('StandingApprovalGranted');

    const again2 = await failure(unary(bob.decisions, 'RevokeStandingApproval', { actionId: first.actionId, reason: 'twice' }));
    expect(again2.status).toBe('FAILED_PRECONDITION');
    const noReason = await failure(unary(bob.decisions, 'RevokeStandingApproval', { actionId: first.actionId, reason: ' ' }));
    expect(noReason).toMatchObject({ status: 'INVALID_ARGUMENT', violations: [{ field: 'reason' }] });
  });

  it('a RUN standing approval covers only requests of the same run', async () => {
    const report = randomUUID();
    const first = await unary(agent.intake, 'RequestAction', uniqueExport(report, { runId: 'run-1' }));
    await awaitOutcome(agent, first.actionId, 300);
    expect(
      await unary(alice.decisions, 'CastVote', { actionId: first.actionId, decision: 'APPROVE', standing: { seconds: 300, thisRunOnly: true } }),
    ).toMatchObject({ accepted: true, status: 'APPROVED' });

    const sameRun = await unary(agent.intake, 'RequestAction', uniqueExport(report, { runId: 'run-1' }));
    expect((await awaitOutcome(agent, sameRun.actionId)).action).toMatchObject({ status: 'APPROVED', approvedVia: 'STANDING_APPROVAL', runId: 'run-1' });
    const otherRun = await unary(agent.intake, 'RequestAction', uniqueExport(report, { runId: 'run-2' }));
    expect((await awaitOutcome(agent, otherRun.actionId, 300)).action?.status).toBe('AWAITING_APPROVAL');
  });

  it('break-glass approves at once, tells every security approver (not the requesting side), and waits for a review by someone else', async () => {
    const created = await unary(ops.intake, 'RequestAction', actionRequest({ action: 'infra.delete', resource: { kind: 'cluster', id: `stg-${randomUUID()}` }, environment: 'staging' }));
    expect((await awaitOutcome(ops, created.actionId, 300)).action?.approval?.breakGlassGroups).toEqual(['sre-oncall']);

    // An approver of the request is not in the break-glass group: refused, and recorded.
    expect(await unary(carol.decisions, 'InvokeBreakGlass', { actionId: created.actionId, justification: 'faster' })).toMatchObject({
      accepted: false,
      rejectionReason: 'NOT_ELIGIBLE',
      status: 'AWAITING_APPROVAL',
    });
    const noJustification = await failure(unary(grace.decisions, 'InvokeBreakGlass', { actionId: created.actionId, justification: '' }));
    expect(noJustification).toMatchObject({ status: 'INVALID_ARGUMENT', violations: [{ field: 'justification' }] });

    expect(
      await unary(grace.decisions, 'InvokeBreakGlass', { actionId: created.actionId, justification: 'the cluster is leaking customer data' }),
    ).toMatchObject({ accepted: true, status: 'APPROVED' });
    const approved = await awaitOutcome(ops, created.actionId);
    expect(approved.action).toMatchObject({ status: 'APPROVED', approvedVia: 'BREAK_GLASS', breakGlass: { invokedBy: 'grace', reviewedBy: '' } });
    expect(approved.action?.grant?.grantId).toBeTruthy();

    const timeline = await eventually(
      () => unary(alice.audit, 'GetTimeline', { actionId: created.actionId }),
      (t) => t.entries.filter((e) => e.type === 'BreakGlassNotified').length >= 3,
    );
    const notified = timeline.entries.filter((e) => e.type === 'BreakGlassNotified').map((e) => JSON.parse(e.dataJson).recipient as string);
    // Every security approver but dave, who owns agent-ops: the requesting side approves nothing of its own.
    expect(notified.sort()).toEqual(['carol', 'erin', 'frank']);
    expect(timeline.entries.map((e) => e.type)).toEqual(expect.arrayContaining(['BreakGlassRejected', 'BreakGlassInvoked', 'ActionApproved']));

    const inbox = await eventually(
      () => unary(carol.decisions, 'ListPending', { onlyMine: true, limit: 100 }),
      (r) => r.items.some((i) => i.actionId === created.actionId),
    );
    expect(inbox.items.find((i) => i.actionId === created.actionId)).toMatchObject({ kind: 'BREAK_GLASS_REVIEW', invokedBy: 'grace' });

    // The invoker cannot review it; nor can the agent's owner (dave), although he is in security.
    expect(await unary(grace.decisions, 'ReviewBreakGlass', { actionId: created.actionId, verdict: 'JUSTIFIED', comment: 'fine' })).toMatchObject({
      accepted: false,
      rejectionReason: 'SELF_REVIEW',
    });
    expect(await unary(dave.decisions, 'ReviewBreakGlass', { actionId: created.actionId, verdict: 'JUSTIFIED', comment: 'fine' })).toMatchObject({
      accepted: false,
      rejectionReason: 'SELF_REVIEW',
    });
    const noVerdict = await failure(unary(carol.decisions, 'ReviewBreakGlass', { actionId: created.actionId, comment: 'fine' }));
    expect(noVerdict).toMatchObject({ status: 'INVALID_ARGUMENT', violations: [{ field: 'verdict' }] });

    expect(
      await unary(carol.decisions, 'ReviewBreakGlass', { actionId: created.actionId, verdict: 'JUSTIFIED', comment: 'the leak was real' }),
    ).toMatchObject({ accepted: true });
    const reviewed = await unary(ops.intake, 'GetAction', { actionId: created.actionId });
    expect(reviewed.breakGlass).toMatchObject({ reviewedBy: 'carol', verdict: 'JUSTIFIED' });
    await eventually(
      () => unary(carol.decisions, 'ListPending', { onlyMine: true, limit: 100 }),
      (r) => !r.items.some((i) => i.actionId === created.actionId),
    );
    expect((await unary(carol.decisions, 'ListPending', { onlyMine: true, limit: 100 })).items.map((i) => i.actionId)).not.toContain(created.actionId);
  });

  it('break-glass is never available to a request whose policy does not offer it', async () => {
    const created = await unary(agent.intake, 'RequestAction', uniqueExport(randomUUID()));
    await awaitOutcome(agent, created.actionId, 300);
    expect(await unary(grace.decisions, 'InvokeBreakGlass', { actionId: created.actionId, justification: 'urgent' })).toMatchObject({
      accepted: false,
      rejectionReason: 'NOT_OFFERED',
      status: 'AWAITING_APPROVAL',
    });
    const entries = await timelineTypes(created.actionId, 'BreakGlassRejected');
    expect(entries.find((e) => e.type === 'BreakGlassRejected')?.dataJson).toContain('NOT_OFFERED');
    expect((await unary(agent.intake, 'GetAction', { actionId: created.actionId })).grant).toBeNull();
  });
});

import type { MessageMetadata, PolicyEvaluatedMessage, RequestActionCommandMessage } from '@approvals/contracts';
import type { ApprovalRequirement } from '@approvals/domain';
import { toActionStreamId } from '@approvals/domain';
import { standingIndexStreamPrefix, standingKey } from './standing-index';
import { T0, at, given, messages, request } from './spec/decision.spec-helpers';

const meta = (messageId: string): MessageMetadata => ({ messageId, occurredAt: T0 });

/** One data owner, who may grant standing approvals of up to 30 minutes; on-call may break the glass. */
const lenient: ApprovalRequirement = {
  steps: [{ group: 'data-owners', minApprovals: 1 }],
  ttlSeconds: 900,
  denyEndsRequest: true,
  standing: { maxSeconds: 1800 },
  breakGlass: { groups: ['security'], reviewWithinSeconds: 3600 },
};

/** The request sent for each action, so its evaluation names the same request hash. */
const requested = new Map<string, typeof request>();

const requestFor = (actionId: string, overrides: Partial<typeof request> = {}): RequestActionCommandMessage => {
  const asked = { ...request, idempotencyKey: `key-${actionId}`, ...overrides };
  requested.set(actionId, asked);
  return { ...messages.requestAction(actionId, asked), metadata: meta(`msg-request-${actionId}`) };
};

const evaluation = (actionId: string, requirement: ApprovalRequirement = lenient): PolicyEvaluatedMessage => ({
  ...messages.policyEvaluated(actionId, 'REQUIRE_APPROVAL', requested.get(actionId)),
  data: { ...messages.policyEvaluated(actionId, 'REQUIRE_APPROVAL', requested.get(actionId)).data, actionId, requirement },
  metadata: meta(`msg-evaluation-${actionId}`),
});

async function approvedWithStanding(seconds = 600) {
  const context = given();
  await context.handlers.requestAction(requestFor('act-1'));
  await context.handlers.recordEvaluation(evaluation('act-1'));
  const reply = await context.handlers.castVote({
    ...messages.castVote('act-1', 'alice'),
    data: { ...messages.castVote('act-1', 'alice').data, standing: { scope: 'DURATION', seconds } },
  });
  expect(reply).toMatchObject({ ok: true, status: 'APPROVED' });
  return context;
}

const typesOf = async (context: ReturnType<typeof given>, actionId: string) =>
  (await context.ledger.readStream(toActionStreamId(actionId))).map((event) => event.type);

describe('standing approvals through the decision service', () => {
  it('records the grant in the approving action, indexes it, and approves a later identical request citing it', async () => {
    const context = await approvedWithStanding();
    expect(await typesOf(context, 'act-1')).toEqual([
      'ActionRequested',
      'PolicyEvaluated',
      'ApprovalRequested',
      'VoteCast',
      'ActionApproved',
      'StandingApprovalGranted',
      'ExecutionGrantIssued',
    ]);
    const index = await context.ledger.readStream(`${standingIndexStreamPrefix}${standingKey(request, 'DURATION')}`);
    expect(index.map((event) => event.data)).toEqual([{ actionId: 'act-1', expiresAt: at(600) }]);

    context.clock.instant = at(60);
    await context.handlers.requestAction(requestFor('act-2'));
    const reply = await context.handlers.recordEvaluation(evaluation('act-2'));

    expect(reply).toMatchObject({ ok: true, status: 'APPROVED' });
    const later = await context.ledger.readStream(toActionStreamId('act-2'));
    expect(later.map((event) => event.type)).toEqual(['ActionRequested', 'PolicyEvaluated', 'ActionApproved', 'ExecutionGrantIssued']);
    expect(later[2]!.data).toMatchObject({ by: 'STANDING_APPROVAL', standingApprovalOf: 'act-1', approvedBy: ['alice'] });
  });

  it('asks humans again for other parameters, after revocation, and after expiry', async () => {
    const context = await approvedWithStanding(120);
    await context.handlers.requestAction(requestFor('act-2', { parameters: { rows: 99_999 } }));
    expect(await context.handlers.recordEvaluation(evaluation('act-2'))).toMatchObject({ status: 'AWAITING_APPROVAL' });

    context.clock.instant = at(121);
    await context.handlers.requestAction(requestFor('act-3'));
    expect(await context.handlers.recordEvaluation(evaluation('act-3'))).toMatchObject({ status: 'AWAITING_APPROVAL' });

    const fresh = await approvedWithStanding();
    const revoked = await fresh.handlers.revokeStandingApproval({
      type: 'RevokeStandingApproval',
      data: { actionId: 'act-1', humanId: 'bob', channel: 'api', reason: 'the report is done' },
      metadata: meta('msg-revoke'),
    });
    expect(revoked).toMatchObject({ ok: true, status: 'APPROVED' });
    await fresh.handlers.requestAction(requestFor('act-4'));
    expect(await fresh.handlers.recordEvaluation(evaluation('act-4'))).toMatchObject({ status: 'AWAITING_APPROVAL' });
  });

  it('is not consulted when the policy in force does not allow standing approvals', async () => {
    const context = await approvedWithStanding();
    const { standing: _dropped, ...strict } = lenient;
    await context.handlers.requestAction(requestFor('act-2'));
    expect(await context.handlers.recordEvaluation(evaluation('act-2', strict))).toMatchObject({ status: 'AWAITING_APPROVAL' });
  });

  it('does not cover a request whose requirement in force names a group its approvers are not in', async () => {
    const context = await approvedWithStanding();
    await context.handlers.requestAction(requestFor('act-2'));
    const otherGroup: ApprovalRequirement = { ...lenient, steps: [{ group: 'security', minApprovals: 1 }] };
    expect(await context.handlers.recordEvaluation(evaluation('act-2', otherGroup))).toMatchObject({ status: 'AWAITING_APPROVAL' });
  });

  it('writes a lost index entry when the vote is redelivered, and covers nothing until then (fail closed)', async () => {
    const context = given();
    await context.handlers.requestAction(requestFor('act-1'));
    await context.handlers.recordEvaluation(evaluation('act-1'));
    const append = context.store.appendToStream.bind(context.store);
    let failIndex = true;
    context.store.appendToStream = async (streamId, events, options) => {
      if (failIndex && streamId.startsWith(standingIndexStreamPrefix)) throw new Error('the process died here');
      return append(streamId, events, options);
    };
    const vote = { ...messages.castVote('act-1', 'alice'), data: { ...messages.castVote('act-1', 'alice').data, standing: { scope: 'DURATION' as const, seconds: 600 } } };

    await expect(context.handlers.castVote(vote)).rejects.toThrow('the process died here');
    await context.handlers.requestAction(requestFor('act-2'));
    expect(await context.handlers.recordEvaluation(evaluation('act-2'))).toMatchObject({ status: 'AWAITING_APPROVAL' });

    failIndex = false;
    expect(await context.handlers.castVote(vote)).toMatchObject({ ok: true, status: 'APPROVED' });
    expect(await typesOf(context, 'act-1')).toEqual(expect.arrayContaining(['StandingApprovalGranted']));
    expect((await typesOf(context, 'act-1')).filter((type) => type === 'VoteCast')).toHaveLength(1);
    await context.handlers.castVote(vote);
    expect(await context.ledger.readStream(`${standingIndexStreamPrefix}${standingKey(request, 'DURATION')}`)).toHaveLength(1);
    await context.handlers.requestAction(requestFor('act-3'));
    expect(await context.handlers.recordEvaluation(evaluation('act-3'))).toMatchObject({ status: 'APPROVED' });
  });

  it('refuses a revocation by someone who may not, and changes nothing', async () => {
    const context = await approvedWithStanding();
    const reply = await context.handlers.revokeStandingApproval({
      type: 'RevokeStandingApproval',
      data: { actionId: 'act-1', humanId: 'carol', channel: 'api', reason: 'because' },
      metadata: meta('msg-revoke'),
    });
    expect(reply).toMatchObject({ ok: false, code: 'PERMISSION_DENIED' });
    expect((await typesOf(context, 'act-1')).at(-1)).toBe('ExecutionGrantIssued');
  });
});

describe('break-glass through the decision service', () => {
  it('approves at once with a grant, and answers a refused attempt with the recorded reason', async () => {
    const context = given();
    await context.handlers.requestAction(requestFor('act-1'));
    await context.handlers.recordEvaluation(evaluation('act-1'));

    const refused = await context.handlers.invokeBreakGlass({
      type: 'InvokeBreakGlass',
      data: { actionId: 'act-1', humanId: 'alice', channel: 'api', justification: 'urgent' },
      metadata: meta('msg-bg-alice'),
    });
    expect(refused).toMatchObject({ ok: true, status: 'AWAITING_APPROVAL', rejection: { reason: 'NOT_ELIGIBLE' } });

    const reply = await context.handlers.invokeBreakGlass({
      type: 'InvokeBreakGlass',
      data: { actionId: 'act-1', humanId: 'bob', channel: 'api', justification: 'customers cannot log in' },
      metadata: meta('msg-bg-bob'),
    });
    expect(reply).toEqual({ ok: true, actionId: 'act-1', status: 'APPROVED' });
    expect(await typesOf(context, 'act-1')).toEqual([
      'ActionRequested',
      'PolicyEvaluated',
      'ApprovalRequested',
      'BreakGlassRejected',
      'BreakGlassInvoked',
      'ActionApproved',
      'ExecutionGrantIssued',
    ]);

    const review = await context.handlers.reviewBreakGlass({
      type: 'ReviewBreakGlass',
      data: { actionId: 'act-1', humanId: 'alice', channel: 'api', verdict: 'JUSTIFIED', comment: 'the outage was real' },
      metadata: meta('msg-review'),
    });
    expect(review).toEqual({ ok: true, actionId: 'act-1', status: 'APPROVED' });
    expect((await typesOf(context, 'act-1')).at(-1)).toBe('BreakGlassReviewed');
  });
});

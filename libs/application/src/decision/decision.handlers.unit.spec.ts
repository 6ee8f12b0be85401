import type { MessageMetadata } from '@approvals/contracts';
import { Commands, InvalidMessageError } from '@approvals/contracts';
import { actionId, agentId, at, given, givenAwaitingApproval, messages, request, requestHashOf, streamId, T0, twoDataOwners } from './spec/decision.spec-helpers';

/** The same command as another bus message: the same message id would make it a redelivery. */
const asNewMessage = <M extends { metadata: MessageMetadata }>(message: M, messageId: string): M => ({
  ...message,
  metadata: { ...message.metadata, messageId },
});

describe('DecisionHandlers.requestAction', () => {
  it('replies created=true for a new action and created=false for a retry of the same request', async () => {
    const { handlers, types } = given();

    const first = await handlers.requestAction(messages.requestAction(actionId));
    const retry = await handlers.requestAction(asNewMessage(messages.requestAction(actionId), 'msg-request-retry'));

    expect(first).toEqual({ ok: true, actionId, status: 'PENDING_POLICY', created: true });
    expect(retry).toEqual({ ok: true, actionId, status: 'PENDING_POLICY', created: false });
    expect(await types()).toEqual(['ActionRequested']);
  });

  it('refuses the same action id with another request as IDEMPOTENCY_CONFLICT', async () => {
    const { handlers, types } = given();
    await handlers.requestAction(messages.requestAction(actionId));

    const reply = await handlers.requestAction(asNewMessage(messages.requestAction(actionId, { ...request, parameters: { rows: 1 } }), 'msg-request-other'));

    expect(reply).toEqual({ ok: false, code: 'IDEMPOTENCY_CONFLICT', message: expect.stringContaining('key-1') });
    expect(await types()).toEqual(['ActionRequested']);
  });
});

describe('DecisionHandlers: the request hash is the hash of the recorded request (I5)', () => {
  it('refuses a request whose hash is not the hash of its canonical form, and records nothing', async () => {
    const { handlers, types } = given();
    const message = messages.requestAction(actionId);

    const reply = await handlers.requestAction({ ...message, data: { ...message.data, requestHash: requestHashOf({ ...request, parameters: {} }) } });

    expect(reply).toEqual({ ok: false, code: 'INVALID_ARGUMENT', message: expect.stringMatching(/^the request hash [0-9a-f]{64} is not the hash of the request/) });
    expect(await types()).toEqual([]);
  });

  it('refuses an evaluation of other parameters than those recorded, and records nothing', async () => {
    const { handlers, types } = given();
    await handlers.requestAction(messages.requestAction(actionId));

    const reply = await handlers.recordEvaluation(messages.policyEvaluated(actionId, 'ALLOW', { ...request, parameters: { rows: 1 } }));

    expect(reply).toEqual({ ok: false, code: 'INVALID_ARGUMENT', message: expect.stringContaining('not of the recorded request') });
    expect(await types()).toEqual(['ActionRequested']);
  });
});

describe('DecisionHandlers: only valid Unicode is recorded, whatever the channel', () => {
  it('refuses a vote whose comment holds a lone surrogate, and records nothing', async () => {
    const { handlers, types } = await givenAwaitingApproval();
    const before = await types();
    const vote = messages.castVote(actionId, 'alice', 'DENY');

    const reply = await handlers.castVote({ ...vote, data: { ...vote.data, comment: 'no \udc00' } });

    expect(reply).toEqual({ ok: false, code: 'INVALID_ARGUMENT', message: 'data.comment contains a lone surrogate (U+DC00) at character 3: only valid Unicode text is accepted' });
    expect(await types()).toEqual(before);
  });
});

describe('DecisionHandlers.recordEvaluation', () => {
  it('on ALLOW appends the approval and a grant for the agent and the request hash, with the evaluation in one append', async () => {
    const { handlers, ledger, store, grants } = given();
    await handlers.requestAction(messages.requestAction(actionId));
    const attemptsBefore = store.appendAttempts;

    const reply = await handlers.recordEvaluation(messages.policyEvaluated(actionId, 'ALLOW'));

    expect(reply).toEqual({ ok: true, actionId, status: 'APPROVED' });
    expect(store.appendAttempts - attemptsBefore).toBe(1);
    expect(grants.issued).toEqual([{ grantId: 'id-2', actionId, agentId, requestHash: requestHashOf(request), issuedAt: new Date(T0) }]);
    const appended = (await ledger.readStream(streamId)).slice(1);
    expect(appended.map((event) => event.type)).toEqual(['PolicyEvaluated', 'ActionApproved', 'ExecutionGrantIssued']);
    expect(appended[2]!.data).toEqual({
      actionId,
      grantId: 'id-2',
      agentId,
      requestHash: requestHashOf(request),
      token: 'token-id-2',
      issuedAt: T0,
      expiresAt: at(300),
    });
  });

  it('on REQUIRE_APPROVAL opens an approval request until the deadline, and issues no grant', async () => {
    const { handlers, ledger, grants } = given();
    await handlers.requestAction(messages.requestAction(actionId));

    const reply = await handlers.recordEvaluation(messages.policyEvaluated(actionId, 'REQUIRE_APPROVAL'));

    expect(reply).toEqual({ ok: true, actionId, status: 'AWAITING_APPROVAL' });
    const [, evaluated, requested] = await ledger.readStream(streamId);
    expect(evaluated!.type).toBe('PolicyEvaluated');
    expect(requested).toMatchObject({ type: 'ApprovalRequested', data: { requirement: twoDataOwners, requestedAt: T0, expiresAt: at(900) } });
    expect(grants.issued).toEqual([]);
  });

  it('on DENY denies the action and issues no grant', async () => {
    const { handlers, types, grants } = given();
    await handlers.requestAction(messages.requestAction(actionId));

    const reply = await handlers.recordEvaluation(messages.policyEvaluated(actionId, 'DENY'));

    expect(reply).toEqual({ ok: true, actionId, status: 'DENIED' });
    expect(await types()).toEqual(['ActionRequested', 'PolicyEvaluated', 'ActionDenied']);
    expect(grants.issued).toEqual([]);
  });

  it('changes nothing when the action is evaluated again', async () => {
    const { handlers, types, grants } = given();
    await handlers.requestAction(messages.requestAction(actionId));
    await handlers.recordEvaluation(messages.policyEvaluated(actionId, 'ALLOW'));

    const again = await handlers.recordEvaluation(asNewMessage(messages.policyEvaluated(actionId, 'ALLOW'), 'msg-evaluation-again'));

    expect(again).toEqual({ ok: true, actionId, status: 'APPROVED' });
    expect(await types()).toEqual(['ActionRequested', 'PolicyEvaluated', 'ActionApproved', 'ExecutionGrantIssued']);
    expect(grants.issued).toHaveLength(1);
  });
});

describe('DecisionHandlers.castVote', () => {
  it("judges the vote with the approver's groups from the directory", async () => {
    const { handlers, ledger } = await givenAwaitingApproval();

    const reply = await handlers.castVote(messages.castVote(actionId, 'bob'));

    expect(reply).toEqual({ ok: true, actionId, status: 'AWAITING_APPROVAL' });
    const vote = (await ledger.readStream(streamId)).at(-1)!;
    expect(vote).toMatchObject({ type: 'VoteCast', data: { approverId: 'bob', channel: 'slack', decision: 'APPROVE', groups: ['data-owners'] } });
  });

  it('approves and issues the grant with the vote that completes the quorum', async () => {
    const { handlers, types, grants } = await givenAwaitingApproval();
    await handlers.castVote(messages.castVote(actionId, 'alice'));

    const reply = await handlers.castVote(messages.castVote(actionId, 'bob'));

    expect(reply).toEqual({ ok: true, actionId, status: 'APPROVED' });
    expect((await types()).slice(-3)).toEqual(['VoteCast', 'ActionApproved', 'ExecutionGrantIssued']);
    expect(grants.issued).toHaveLength(1);
  });

  it.each([
    ['SELF_APPROVAL', 'the human the agent acts for', [], 'olivia'],
    ['NOT_ELIGIBLE', 'someone outside the required groups', [], 'carol'],
    ['NOT_ELIGIBLE', 'someone the directory does not know', [], 'mallory'],
    ['DUPLICATE_VOTE', 'an approver voting twice', ['alice'], 'alice'],
  ])('replies with the rejection reason %s for %s, and records it', async (reason, _who, earlier, approverId) => {
    const { handlers, ledger } = await givenAwaitingApproval();
    for (const voter of earlier) await handlers.castVote(asNewMessage(messages.castVote(actionId, voter), `msg-earlier-vote-${voter}`));

    const reply = await handlers.castVote(messages.castVote(actionId, approverId));

    expect(reply).toEqual({ ok: true, actionId, status: 'AWAITING_APPROVAL', rejection: { reason, detail: expect.stringContaining(approverId) } });
    expect((await ledger.readStream(streamId)).at(-1)).toMatchObject({ type: 'VoteRejected', data: { approverId, reason } });
  });
});

describe('DecisionHandlers: expiries', () => {
  it('expires a requested action that could get no evaluation, with the reason', async () => {
    const { handlers, ledger, clock } = given();
    await handlers.requestAction(messages.requestAction(actionId));
    clock.instant = at(120);

    await handlers.expireUnevaluated(actionId, 'no policy evaluation after 5 attempts');

    const expired = (await ledger.readStream(streamId)).at(-1)!;
    expect(expired).toMatchObject({
      type: 'ActionExpired',
      data: { actionId, expiresAt: at(120), expiredAt: at(120), reason: 'no policy evaluation after 5 attempts' },
      metadata: { actor: { kind: 'service', id: 'decision' }, correlationId: actionId },
    });
  });

  it('leaves an evaluated action alone, and an unknown one too', async () => {
    const { handlers, types } = await givenAwaitingApproval();

    await handlers.expireUnevaluated(actionId, 'no policy evaluation');
    await expect(handlers.expireUnevaluated('act-unknown', 'no policy evaluation')).resolves.toBeUndefined();

    expect(await types()).toEqual(['ActionRequested', 'PolicyEvaluated', 'ApprovalRequested']);
  });

  it('expires an approval request at its deadline, not before', async () => {
    const { handlers, types, clock } = await givenAwaitingApproval();
    clock.instant = at(899);
    await handlers.expire(actionId);
    expect((await types()).at(-1)).toBe('ApprovalRequested');

    clock.instant = at(900);
    await handlers.expire(actionId);

    expect((await types()).at(-1)).toBe('ActionExpired');
  });
});

describe('DecisionHandlers.handle: a command as the bus carries it', () => {
  it('checks the message against its command schema, then runs that command', async () => {
    const { handlers, types } = given();

    expect(await handlers.handle(Commands.requestAction, messages.requestAction(actionId))).toEqual({ ok: true, actionId, status: 'PENDING_POLICY', created: true });
    expect(await types()).toEqual(['ActionRequested']);
  });

  it('refuses a message that does not match, naming the field, and records nothing', async () => {
    const { handlers, types } = given();
    const message = messages.requestAction(actionId);

    await expect(handlers.handle(Commands.requestAction, { ...message, data: { ...message.data, requestHash: '' } })).rejects.toThrow(
      new InvalidMessageError(`${Commands.requestAction}: data.requestHash: Too small: expected string to have >=1 characters`),
    );
    await expect(handlers.handle(Commands.castVote, message)).rejects.toThrow(InvalidMessageError);
    expect(await types()).toEqual([]);
  });
});

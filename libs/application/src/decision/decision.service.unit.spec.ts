import type { RecordEvaluation } from '@approvals/domain';
import { InMemoryEventStore } from '@approvals/testing';
import type { EventStore } from '../ports/event-store.port';
import { DecisionHandlers } from './decision.handlers';
import type { DecisionDeps } from './decision.service';
import { DecisionService } from './decision.service';
import {
  actionId,
  agentId,
  directory,
  given,
  givenAwaitingApproval,
  ManualClock,
  messages,
  RecordingGrantIssuer,
  request,
  requestHashOf,
  sequentialIds,
  streamId,
  T0,
  TRACEPARENT,
  TRACESTATE,
  twoDataOwners,
} from './spec/decision.spec-helpers';

describe('DecisionService: concurrency', () => {
  it('answers with the CONFLICT error value once every retry conflicted, and writes nothing', async () => {
    const { handlers, store, types } = await givenAwaitingApproval();
    const before = await types();
    store.conflicts = Infinity;
    store.appendAttempts = 0;

    const reply = await handlers.castVote(messages.castVote(actionId, 'alice'));

    expect(reply).toEqual({ ok: false, code: 'CONFLICT', message: expect.stringContaining('6 attempts') });
    expect(store.appendAttempts).toBe(6);
    expect(await types()).toEqual(before);
  });

  it('gives up after the configured number of retries, as a value rather than an exception', async () => {
    const { decisions, store } = await givenAwaitingApproval({ maxConflictRetries: 2 });
    store.conflicts = Infinity;
    store.appendAttempts = 0;

    const result = await decisions.execute(
      actionId,
      (now) => ({ type: 'CancelAction', data: { actionId, cancelledBy: agentId, reason: 'not needed' }, meta: { now } }),
      { actor: { kind: 'agent', id: agentId } },
    );

    expect(result).toEqual({ ok: false, error: { code: 'CONFLICT', message: expect.stringContaining('3 attempts') } });
    expect(store.appendAttempts).toBe(3);
  });

  it('retries a transient conflict without the caller noticing', async () => {
    const { handlers, store, types } = await givenAwaitingApproval();
    store.conflicts = 1;
    store.appendAttempts = 0;

    const reply = await handlers.castVote(messages.castVote(actionId, 'alice'));

    expect(reply).toEqual({ ok: true, actionId, status: 'AWAITING_APPROVAL' });
    expect(store.appendAttempts).toBe(2);
    expect((await types()).filter((type) => type === 'VoteCast')).toHaveLength(1);
  });

  it('decides again on the fresh stream when another writer appended since it read the action', async () => {
    const { ledger, handlers, types } = given();
    await handlers.requestAction(messages.requestAction(actionId));
    const other = new DecisionHandlers(
      new DecisionService({ store: ledger, grants: new RecordingGrantIssuer(), directory, clock: new ManualClock(), ids: sequentialIds('other') }),
    );
    await other.recordEvaluation(messages.policyEvaluated(actionId, 'REQUIRE_APPROVAL'));
    const second = messages.policyEvaluated(actionId, 'ALLOW');

    const reply = await handlers.recordEvaluation({ ...second, metadata: { ...second.metadata, messageId: 'msg-evaluation-2' } });

    expect(reply).toEqual({ ok: true, actionId, status: 'AWAITING_APPROVAL' });
    expect(await types()).toEqual(['ActionRequested', 'PolicyEvaluated', 'ApprovalRequested']);
  });

  it('lets any other failure of the ledger through, untried again', async () => {
    const { handlers, store } = await givenAwaitingApproval();
    store.failure = new Error('disk full');
    store.appendAttempts = 0;

    await expect(handlers.castVote(messages.castVote(actionId, 'alice'))).rejects.toThrow('disk full');
    expect(store.appendAttempts).toBe(1);
  });
});

describe('DecisionService: event metadata', () => {
  it('copies the actor, correlation and causation ids and trace context into every event', async () => {
    const { handlers, ledger } = given();

    await handlers.requestAction(messages.requestAction(actionId));

    expect((await ledger.readStream(streamId))[0]!.metadata).toEqual({
      actionId,
      actor: { kind: 'agent', id: agentId, model: request.model, onBehalfOf: 'olivia' },
      correlationId: 'corr-1',
      causationId: 'msg-request',
      traceparent: TRACEPARENT,
      tracestate: TRACESTATE,
      prevHash: null,
      occurredAt: T0,
    });
  });

  it('names the policy version on PolicyEvaluated only, and the decision service as the actor of what it derives', async () => {
    const { handlers, ledger } = given();
    await handlers.requestAction(messages.requestAction(actionId));

    await handlers.recordEvaluation(messages.policyEvaluated(actionId, 'ALLOW'));

    const [, evaluated, approved, grant] = await ledger.readStream(streamId);
    expect(evaluated!.metadata).toMatchObject({
      actor: { kind: 'service', id: 'policy-evaluator' },
      policyVersion: 'sha256:policies',
      causationId: 'msg-evaluation',
      correlationId: 'corr-1',
      traceparent: TRACEPARENT,
    });
    for (const derived of [approved!, grant!]) {
      expect(derived.metadata).toMatchObject({ actor: { kind: 'service', id: 'decision' }, causationId: 'msg-evaluation', traceparent: TRACEPARENT });
      expect(derived.metadata).not.toHaveProperty('policyVersion');
    }
  });

  it('records the approver and the channel as the actor of a vote', async () => {
    const { handlers, ledger } = await givenAwaitingApproval();

    await handlers.castVote(messages.castVote(actionId, 'olivia'));

    expect((await ledger.readStream(streamId)).at(-1)!.metadata).toMatchObject({
      actor: { kind: 'approver', id: 'olivia', channel: 'slack' },
      causationId: 'msg-vote-olivia',
    });
  });
});

/** Another decision service instance on the same ledger, e.g. the one that takes over after a crash. */
function serviceOn(ledger: EventStore, idPrefix: string, options: Pick<DecisionDeps, 'cacheSize'> = {}) {
  const decisions = new DecisionService({ store: ledger, grants: new RecordingGrantIssuer(), directory, clock: new ManualClock(), ids: sequentialIds(idPrefix), ...options });
  return { decisions, handlers: new DecisionHandlers(decisions) };
}

describe('DecisionService: redelivered bus messages', () => {
  it('appends nothing when the same CastVote message is delivered twice', async () => {
    const { handlers, store, types } = await givenAwaitingApproval();
    const vote = messages.castVote(actionId, 'alice');
    await handlers.castVote(vote);
    const attempts = store.appendAttempts;

    const again = await handlers.castVote(vote);

    expect(again).toEqual({ ok: true, actionId, status: 'AWAITING_APPROVAL' });
    expect(store.appendAttempts).toBe(attempts);
    expect(await types()).toEqual(['ActionRequested', 'PolicyEvaluated', 'ApprovalRequested', 'VoteCast']);
  });

  it('records the evaluation once, and decides nothing, when the same PolicyEvaluated message is delivered twice', async () => {
    const { decisions, handlers, types } = given();
    await handlers.requestAction(messages.requestAction(actionId));
    const evaluation = jest.fn(
      (now: string): RecordEvaluation => ({
        type: 'RecordEvaluation',
        data: { actionId, outcome: 'REQUIRE_APPROVAL', policyVersion: 'sha256:policies', determiningPolicies: [], reasons: [], requirement: twoDataOwners, requestHash: requestHashOf(request) },
        meta: { now },
      }),
    );
    const context = { actor: { kind: 'service', id: 'policy-evaluator' }, causationId: 'msg-evaluation' } as const;
    await decisions.execute(actionId, evaluation, context);

    const again = await decisions.execute(actionId, evaluation, context);

    expect(again).toEqual({ ok: true, value: { actionId, state: expect.objectContaining({ status: 'awaiting_approval' }), appended: [] } });
    expect(evaluation).toHaveBeenCalledTimes(1);
    expect(await types()).toEqual(['ActionRequested', 'PolicyEvaluated', 'ApprovalRequested']);
  });

  it('still judges a second vote by the same approver that comes as a new message', async () => {
    const { handlers, types } = await givenAwaitingApproval();
    const vote = messages.castVote(actionId, 'alice');
    await handlers.castVote(vote);

    const reply = await handlers.castVote({ ...vote, metadata: { ...vote.metadata, messageId: 'msg-vote-alice-2' } });

    expect(reply).toEqual({ ok: true, actionId, status: 'AWAITING_APPROVAL', rejection: { reason: 'DUPLICATE_VOTE', detail: expect.stringContaining('alice') } });
    expect((await types()).slice(-2)).toEqual(['VoteCast', 'VoteRejected']);
  });

  it('recognises the repeat with the cache disabled, from the ledger alone', async () => {
    const ledger = new InMemoryEventStore();
    const { handlers } = serviceOn(ledger, 'id', { cacheSize: 0 });
    await handlers.requestAction(messages.requestAction(actionId));
    await handlers.recordEvaluation(messages.policyEvaluated(actionId, 'REQUIRE_APPROVAL'));
    await handlers.castVote(messages.castVote(actionId, 'alice'));

    const again = await handlers.castVote(messages.castVote(actionId, 'alice'));

    expect(again).toEqual({ ok: true, actionId, status: 'AWAITING_APPROVAL' });
    expect((await ledger.readStream(streamId)).map((event) => event.type)).toEqual(['ActionRequested', 'PolicyEvaluated', 'ApprovalRequested', 'VoteCast']);
  });

  it('recognises a message redelivered to a restarted service, whose cache is empty', async () => {
    const { ledger, handlers, types } = await givenAwaitingApproval();
    await handlers.castVote(messages.castVote(actionId, 'alice'));

    const again = await serviceOn(ledger, 'restarted').handlers.castVote(messages.castVote(actionId, 'alice'));

    expect(again).toEqual({ ok: true, actionId, status: 'AWAITING_APPROVAL' });
    expect(await types()).toEqual(['ActionRequested', 'PolicyEvaluated', 'ApprovalRequested', 'VoteCast']);
  });

  it('recognises the repeat after a conflict, when another instance applied the message since this one cached the action', async () => {
    const { ledger, handlers, store, types } = await givenAwaitingApproval();
    await serviceOn(ledger, 'other').handlers.castVote(messages.castVote(actionId, 'alice'));
    store.appendAttempts = 0;

    const again = await handlers.castVote(messages.castVote(actionId, 'alice'));

    expect(again).toEqual({ ok: true, actionId, status: 'AWAITING_APPROVAL' });
    expect(store.appendAttempts).toBe(1);
    expect(await types()).toEqual(['ActionRequested', 'PolicyEvaluated', 'ApprovalRequested', 'VoteCast']);
  });
});

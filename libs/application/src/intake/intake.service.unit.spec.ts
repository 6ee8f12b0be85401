import type { ActionView__Output, CommandReply } from '@approvals/contracts';
import { Commands } from '@approvals/contracts';
import { toActionStreamId } from '@approvals/domain';
import { InMemoryEventStore } from '@approvals/testing';
import { actionIdFor } from '../ids';
import { canonicalJson, sha256Hex } from '../ledger/event-hash';
import type { ReadStreamOptions, RecordedEvent } from '../ports/event-store.port';
import { ActionUpdates } from './action-updates';
import { IntakeService } from './intake.service';
import {
  actionRequest,
  agentId,
  directory,
  events,
  fixedClock,
  otherAgentId,
  record,
  RecordingCommandSender,
  rpcRequest,
  sequentialIds,
  T0,
} from './spec/intake.spec-helpers';

const TRACEPARENT = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';
const TRACESTATE = 'vendor=opaque';

/** Collects the views a watch emits; `received(n)` resolves once n views arrived. */
class ViewRecorder {
  readonly views: ActionView__Output[] = [];
  private readonly waiting: { count: number; resolve: () => void }[] = [];

  readonly onView = (view: ActionView__Output): void => {
    this.views.push(view);
    for (const waiter of this.waiting.filter((w) => this.views.length >= w.count)) waiter.resolve();
  };

  get statuses(): string[] {
    return this.views.map((view) => view.status);
  }

  get last(): ActionView__Output {
    return this.views.at(-1)!;
  }

  received(count: number): Promise<void> {
    if (this.views.length >= count) return Promise.resolve();
    return new Promise((resolve) => this.waiting.push({ count, resolve }));
  }
}

/** Lets every pending delivery of the in-memory ledger and the watch loop run. */
const settle = async (): Promise<void> => {
  for (let i = 0; i < 3; i++) await new Promise((resolve) => setImmediate(resolve));
};

let closeBus: () => Promise<void> = async () => undefined;

/**
 * The intake on an in-memory ledger. With `bus` (the default) every event appended from now on is
 * announced to the intake's updates, as the outbox relay and the intake's bus controller do; without
 * it the test announces what it wants itself.
 */
async function given({ bus = true, store = new InMemoryEventStore() }: { bus?: boolean; store?: InMemoryEventStore } = {}) {
  const commands = new RecordingCommandSender();
  const errors: unknown[] = [];
  const updates = new ActionUpdates();
  if (bus) {
    const subscription = store.subscribeToAll(({ streamId, revision, type }) => updates.notify({ streamId, revision, type }), {
      after: await store.headPosition(),
      streamPrefix: 'action-',
      onError: (error) => errors.push(error),
    });
    closeBus = () => subscription.close();
  }
  const intake = new IntakeService(store, commands, updates, directory, fixedClock, sequentialIds('msg'));
  return { store, commands, intake, updates, errors };
}

afterEach(async () => {
  await closeBus();
  closeBus = async () => undefined;
  jest.useRealTimers();
});

/** The in-memory ledger with `tamper` standing between each stream read and its caller. */
class TamperedLedger extends InMemoryEventStore {
  constructor(private readonly tamper: (events: RecordedEvent[], options: ReadStreamOptions) => RecordedEvent[] | Promise<RecordedEvent[]>) {
    super();
  }

  override async readStream(streamId: string, options: ReadStreamOptions = {}): Promise<RecordedEvent[]> {
    return this.tamper(await super.readStream(streamId, options), options);
  }
}

const actionId = actionIdFor(agentId, 'key-1');
const streamId = toActionStreamId(actionId);

describe('IntakeService.requestAction', () => {
  it('derives a stable action id from the agent and its idempotency key', async () => {
    const { intake, commands } = await given();

    const first = await intake.requestAction(agentId, rpcRequest());
    const retry = await intake.requestAction(agentId, rpcRequest({ parametersJson: '{"rows":1}' }));
    const otherKey = await intake.requestAction(agentId, rpcRequest({ idempotencyKey: 'key-2' }));
    const otherAgent = await intake.requestAction(otherAgentId, rpcRequest());

    expect(first).toMatchObject({ ok: true, value: { actionId } });
    expect(retry).toMatchObject({ ok: true, value: { actionId } });
    expect(otherKey).toMatchObject({ ok: true, value: { actionId: actionIdFor(agentId, 'key-2') } });
    expect(otherAgent).toMatchObject({ ok: true, value: { actionId: actionIdFor(otherAgentId, 'key-1') } });
    expect(new Set([actionId, actionIdFor(agentId, 'key-2'), actionIdFor(otherAgentId, 'key-1')]).size).toBe(3);
    expect(commands.sent.map((sent) => (sent.message as { data: { actionId: string } }).data.actionId)).toEqual([
      actionId,
      actionId,
      actionIdFor(agentId, 'key-2'),
      actionIdFor(otherAgentId, 'key-1'),
    ]);
  });

  it('hashes the canonical form of the normalised request, so formatting never changes the hash', async () => {
    const { intake, commands } = await given();

    await intake.requestAction(agentId, rpcRequest());
    await intake.requestAction(agentId, rpcRequest({ model: '  claude-sonnet ', parametersJson: '{ "destination": "s3://exports/customers.csv", "rows": 5000 }' }));
    await intake.requestAction(agentId, rpcRequest({ parametersJson: '{"rows":5001,"destination":"s3://exports/customers.csv"}' }));

    const hashes = commands.sent.map((sent) => (sent.message as { data: { requestHash: string } }).data.requestHash);
    expect(hashes[0]).toBe(sha256Hex(canonicalJson(actionRequest())));
    expect(hashes[1]).toBe(hashes[0]);
    expect(hashes[2]).not.toBe(hashes[0]);
  });

  it("sends RequestAction with the normalised request, the agent's owner from the directory and the trace context", async () => {
    const { intake, commands } = await given();

    await intake.requestAction(agentId, rpcRequest(), { traceparent: TRACEPARENT, tracestate: TRACESTATE });

    expect(commands.sent).toEqual([
      {
        command: Commands.requestAction,
        message: {
          type: 'RequestAction',
          data: { actionId, request: actionRequest(), requestHash: sha256Hex(canonicalJson(actionRequest())), agentOwner: 'oscar' },
          metadata: { messageId: 'msg-1', correlationId: actionId, occurredAt: T0, traceparent: TRACEPARENT, tracestate: TRACESTATE },
        },
      },
    ]);
  });

  it('leaves the owner out for an agent the directory does not know', async () => {
    const { intake, commands } = await given();

    await intake.requestAction('agent-unlisted', rpcRequest());

    const { data } = commands.sent[0]!.message as { data: Record<string, unknown> };
    expect(data).not.toHaveProperty('agentOwner');
  });

  it("returns the decision's answer: the status and whether this call created the action", async () => {
    const { intake, commands } = await given();
    commands.answer = () => ({ ok: true, actionId, status: 'AWAITING_APPROVAL' });

    const result = await intake.requestAction(agentId, rpcRequest());

    expect(result).toEqual({ ok: true, value: { actionId, status: 'AWAITING_APPROVAL', created: false } });
  });

  it.each([
    ['IDEMPOTENCY_CONFLICT', 'ALREADY_EXISTS'],
    ['NOT_FOUND', 'NOT_FOUND'],
    ['PERMISSION_DENIED', 'PERMISSION_DENIED'],
    ['ALREADY_FINAL', 'FAILED_PRECONDITION'],
    ['INVALID_STATE', 'FAILED_PRECONDITION'],
    ['CONFLICT', 'ABORTED'],
    ['SOMETHING_NEW', 'INTERNAL'],
  ])('maps a %s reply to %s with its message', async (replyCode, intakeCode) => {
    const { intake, commands } = await given();
    commands.answer = () => ({ ok: false, code: replyCode, message: `the decision said ${replyCode}` });

    const result = await intake.requestAction(agentId, rpcRequest());

    expect(result).toEqual({ ok: false, error: { code: intakeCode, message: `the decision said ${replyCode}` } });
  });

  it('never sends a command for a request that fails validation', async () => {
    const { intake, commands } = await given();

    const result = await intake.requestAction(agentId, rpcRequest({ model: '', onBehalfOf: 'mallory', parametersJson: '[1]' }));

    expect(result).toEqual({
      ok: false,
      error: {
        code: 'INVALID_ARGUMENT',
        message: expect.stringContaining('model: is required'),
        violations: expect.arrayContaining([
          { field: 'model', description: 'is required' },
          { field: 'on_behalf_of', description: '"mallory" is not a known human in the directory' },
          { field: 'parameters_json', description: 'must be a JSON object' },
        ]),
      },
    });
    expect(commands.sent).toEqual([]);
  });
});

describe('IntakeService.getAction', () => {
  it("returns the agent's own action as folded from its stream", async () => {
    const { store, intake } = await given();
    await record(store, actionId, events.requested(actionId), events.evaluated(actionId, 'REQUIRE_APPROVAL'), events.approvalRequested(actionId));

    const result = await intake.getAction(agentId, actionId);

    expect(result).toMatchObject({
      ok: true,
      value: { actionId, status: 'AWAITING_APPROVAL', agentId, onBehalfOf: 'olivia', idempotencyKey: 'key-1', revision: '2' },
    });
  });

  it("hides another agent's action exactly as an action that does not exist", async () => {
    const { store, intake } = await given();
    await record(store, actionId, events.requested(actionId));

    const foreign = await intake.getAction(otherAgentId, actionId);
    const missing = await intake.getAction(agentId, 'no-such-action');

    expect(foreign).toEqual({ ok: false, error: { code: 'NOT_FOUND', message: `action ${actionId} not found` } });
    expect(missing).toEqual({ ok: false, error: { code: 'NOT_FOUND', message: 'action no-such-action not found' } });
  });
});

describe('IntakeService.watch', () => {
  it('emits the current view, then one view per status change, and completes at the final outcome', async () => {
    const { store, intake, errors } = await given();
    await record(store, actionId, events.requested(actionId));
    const recorder = new ViewRecorder();

    const watching = intake.watch(agentId, actionId, recorder.onView);
    await recorder.received(1);
    await record(store, actionId, events.evaluated(actionId, 'REQUIRE_APPROVAL'), events.approvalRequested(actionId));
    await recorder.received(2);
    await record(store, actionId, events.notified(actionId));
    await record(store, actionId, events.voteCast(actionId, 'alice'));
    await record(store, actionId, events.voteCast(actionId, 'bob'), events.approved(actionId), events.grantIssued(actionId));

    await expect(watching).resolves.toEqual({ ok: true, value: undefined });
    expect(recorder.statuses).toEqual(['PENDING_POLICY', 'AWAITING_APPROVAL', 'APPROVED']);
    expect(recorder.last.approval!.votes.map((vote) => vote.approverId)).toEqual(['alice', 'bob']);
    expect(recorder.last.revision).toBe('7');
    expect(errors).toEqual([]);
  });

  it('emits nothing for events that leave the status as it was', async () => {
    const { store, intake } = await given();
    await record(store, actionId, events.requested(actionId));
    const recorder = new ViewRecorder();

    const watching = intake.watch(agentId, actionId, recorder.onView);
    await recorder.received(1);
    await record(store, actionId, events.evaluated(actionId, 'REQUIRE_APPROVAL'));
    await settle();
    await record(store, actionId, events.approvalRequested(actionId));
    await recorder.received(2);
    await record(store, actionId, events.cancelled(actionId));
    await watching;

    expect(recorder.statuses).toEqual(['PENDING_POLICY', 'AWAITING_APPROVAL', 'CANCELLED']);
  });

  it('emits one view for the events of one append, with everything they carry', async () => {
    const { store, intake } = await given();
    await record(store, actionId, events.requested(actionId));
    const recorder = new ViewRecorder();

    const watching = intake.watch(agentId, actionId, recorder.onView);
    await recorder.received(1);
    await record(store, actionId, events.evaluated(actionId, 'ALLOW'), events.approved(actionId, []), events.grantIssued(actionId));
    await watching;

    expect(recorder.statuses).toEqual(['PENDING_POLICY', 'APPROVED']);
    expect(recorder.last.grant).toEqual({ grantId: 'grant-1', token: 'token-grant-1', expiresAt: expect.any(String), redeemedAt: '', revokedAt: '' });
  });

  it('emits the final view and completes at once for an action that already has its outcome', async () => {
    const { store, intake } = await given();
    await record(store, actionId, events.requested(actionId), events.evaluated(actionId, 'DENY'), events.denied(actionId));
    const recorder = new ViewRecorder();

    await expect(intake.watch(agentId, actionId, recorder.onView)).resolves.toEqual({ ok: true, value: undefined });

    expect(recorder.statuses).toEqual(['DENIED']);
  });

  it('stops when the signal aborts and emits nothing afterwards', async () => {
    const { store, intake } = await given();
    await record(store, actionId, events.requested(actionId));
    const recorder = new ViewRecorder();
    const controller = new AbortController();

    const watching = intake.watch(agentId, actionId, recorder.onView, controller.signal);
    await recorder.received(1);
    controller.abort();

    await expect(watching).resolves.toEqual({ ok: true, value: undefined });
    await record(store, actionId, events.evaluated(actionId, 'DENY'), events.denied(actionId));
    await settle();
    expect(recorder.statuses).toEqual(['PENDING_POLICY']);
  });

  it('emits only the current view when the signal has already aborted', async () => {
    const { store, intake } = await given();
    await record(store, actionId, events.requested(actionId));
    const recorder = new ViewRecorder();

    await expect(intake.watch(agentId, actionId, recorder.onView, AbortSignal.abort())).resolves.toEqual({ ok: true, value: undefined });

    expect(recorder.statuses).toEqual(['PENDING_POLICY']);
  });

  it("reports another agent's action as NOT_FOUND and emits nothing", async () => {
    const { store, intake } = await given();
    await record(store, actionId, events.requested(actionId));
    const recorder = new ViewRecorder();

    const result = await intake.watch(otherAgentId, actionId, recorder.onView);

    expect(result).toEqual({ ok: false, error: { code: 'NOT_FOUND', message: `action ${actionId} not found` } });
    expect(recorder.views).toEqual([]);
  });
});

describe('IntakeService.watch: updates', () => {
  it('reads the ledger when an update announces a status event, and emits the status it finds there', async () => {
    const { store, intake, updates } = await given({ bus: false });
    await record(store, actionId, events.requested(actionId));
    const recorder = new ViewRecorder();
    const controller = new AbortController();

    const watching = intake.watch(agentId, actionId, recorder.onView, controller.signal);
    await recorder.received(1);
    await record(store, actionId, events.evaluated(actionId, 'REQUIRE_APPROVAL'), events.approvalRequested(actionId));
    await settle();
    expect(recorder.statuses).toEqual(['PENDING_POLICY']);
    updates.notify({ streamId, revision: 1, type: 'PolicyEvaluated' });
    updates.notify({ streamId, revision: 2, type: 'ApprovalRequested' });
    await recorder.received(2);

    expect(recorder.last).toMatchObject({ status: 'AWAITING_APPROVAL', revision: '2', approval: { expiresAt: expect.any(String) } });
    controller.abort();
    await watching;
    expect(recorder.statuses).toEqual(['PENDING_POLICY', 'AWAITING_APPROVAL']);
  });

  it('catches up on every event it was not told of when an update skips revisions', async () => {
    const { store, intake, updates } = await given({ bus: false });
    await record(store, actionId, events.requested(actionId));
    const recorder = new ViewRecorder();

    const watching = intake.watch(agentId, actionId, recorder.onView);
    await recorder.received(1);
    await record(store, actionId, events.evaluated(actionId, 'REQUIRE_APPROVAL'), events.approvalRequested(actionId));
    await record(store, actionId, events.voteCast(actionId, 'alice'));
    await record(store, actionId, events.voteCast(actionId, 'bob'), events.approved(actionId), events.grantIssued(actionId));
    updates.notify({ streamId, revision: 6, type: 'ExecutionGrantIssued' });

    await expect(watching).resolves.toEqual({ ok: true, value: undefined });
    expect(recorder.statuses).toEqual(['PENDING_POLICY', 'APPROVED']);
    expect(recorder.last).toMatchObject({ revision: '6', evaluation: { outcome: 'REQUIRE_APPROVAL' }, grant: { grantId: 'grant-1' } });
    expect(recorder.last.approval!.votes.map((vote) => vote.approverId)).toEqual(['alice', 'bob']);
  });

  it.each([
    ['do not follow on from the state it holds', (events: RecordedEvent[]) => events.slice(1)],
    ['stop short of the revision announced', (events: RecordedEvent[]) => events.slice(0, -1)],
  ])('reads the whole stream again when the events read after its revision %s', async (_case, tamper) => {
    const store = new TamperedLedger((events, options) => (options.fromRevision === undefined ? events : tamper(events)));
    const { intake, updates } = await given({ bus: false, store });
    await record(store, actionId, events.requested(actionId));
    const recorder = new ViewRecorder();

    const watching = intake.watch(agentId, actionId, recorder.onView);
    await recorder.received(1);
    await record(store, actionId, events.evaluated(actionId, 'DENY'), events.denied(actionId));
    updates.notify({ streamId, revision: 1, type: 'PolicyEvaluated' });
    updates.notify({ streamId, revision: 2, type: 'ActionDenied' });

    await expect(watching).resolves.toEqual({ ok: true, value: undefined });
    expect(recorder.statuses).toEqual(['PENDING_POLICY', 'DENIED']);
    expect(recorder.last).toMatchObject({ revision: '2', evaluation: { outcome: 'DENY', policyVersion: 'sha256:policies' } });
  });

  it('folds the events that arrive with their updates, reading the ledger only for those that did not', async () => {
    const reads: (number | undefined)[] = [];
    const store = new TamperedLedger((events, options) => {
      reads.push(options.fromRevision);
      return events;
    });
    const { intake, updates } = await given({ bus: false, store });
    await record(store, actionId, events.requested(actionId));
    const recorder = new ViewRecorder();

    const watching = intake.watch(agentId, actionId, recorder.onView);
    await recorder.received(1);
    await record(store, actionId, events.evaluated(actionId, 'REQUIRE_APPROVAL'), events.approvalRequested(actionId));
    const recorded = await store.readStream(streamId);
    reads.length = 0;
    // revisions 1 and 2 arrive with their data: folded, nothing read
    for (const event of recorded.slice(1)) updates.notify({ streamId, revision: event.revision, type: event.type, data: event.data });
    await recorder.received(2);
    expect(reads).toEqual([]);
    expect(recorder.last).toMatchObject({ status: 'AWAITING_APPROVAL', revision: '2' });

    // revision 3 is announced without its data, 4 to 5 with theirs: 3 onwards is read from the ledger
    await record(store, actionId, events.voteCast(actionId, 'alice'));
    await record(store, actionId, events.approved(actionId), events.grantIssued(actionId));
    const later = (await store.readStream(streamId)).slice(3);
    reads.length = 0;
    updates.notify({ streamId, revision: 3, type: 'VoteCast' });
    for (const event of later.slice(1)) updates.notify({ streamId, revision: event.revision, type: event.type, data: event.data });

    await expect(watching).resolves.toEqual({ ok: true, value: undefined });
    expect(reads).toEqual([3]);
    expect(recorder.statuses).toEqual(['PENDING_POLICY', 'AWAITING_APPROVAL', 'APPROVED']);
    expect(recorder.last.approval!.votes.map((vote) => vote.approverId)).toEqual(['alice']);
    expect(recorder.last).toMatchObject({ revision: '5', grant: { grantId: 'grant-1' } });
  });

  it('never ends on an approval announced without its grant: the grant, appended with it, is read from the ledger', async () => {
    // The bus may deliver the events of one append in separate batches (distributed mode under load).
    const { store, intake, updates } = await given({ bus: false });
    await record(store, actionId, events.requested(actionId), events.evaluated(actionId, 'REQUIRE_APPROVAL'), events.approvalRequested(actionId));
    const recorder = new ViewRecorder();
    const watching = intake.watch(agentId, actionId, recorder.onView);
    await recorder.received(1);
    await record(store, actionId, events.approved(actionId), events.grantIssued(actionId));
    const [approved] = (await store.readStream(streamId)).slice(3);
    updates.notify({ streamId, revision: approved!.revision, type: approved!.type, data: approved!.data });

    await expect(watching).resolves.toEqual({ ok: true, value: undefined });
    expect(recorder.statuses).toEqual(['AWAITING_APPROVAL', 'APPROVED']);
    expect(recorder.last).toMatchObject({ revision: '4', grant: { grantId: 'grant-1', token: expect.any(String) } });
  });

  it('misses no update that arrives while it reads the action for the first time', async () => {
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const store = new TamperedLedger(async (events) => {
      await gate;
      return events;
    });
    const { intake, updates } = await given({ bus: false, store });
    await record(store, actionId, events.requested(actionId));
    const recorder = new ViewRecorder();

    const watching = intake.watch(agentId, actionId, recorder.onView);
    await record(store, actionId, events.evaluated(actionId, 'DENY'), events.denied(actionId));
    updates.notify({ streamId, revision: 2, type: 'ActionDenied' });
    release();

    await expect(watching).resolves.toEqual({ ok: true, value: undefined });
    expect(recorder.statuses).toEqual(['PENDING_POLICY', 'DENIED']);
  });

  it('ignores updates of streams nobody watches and of other actions', async () => {
    const { store, intake, updates } = await given({ bus: false });
    await record(store, actionId, events.requested(actionId));
    const recorder = new ViewRecorder();
    const controller = new AbortController();

    const watching = intake.watch(agentId, actionId, recorder.onView, controller.signal);
    await recorder.received(1);
    await record(store, actionId, events.evaluated(actionId, 'DENY'), events.denied(actionId));
    updates.notify({ streamId: toActionStreamId('act-unwatched'), revision: 2, type: 'ActionDenied' });
    await settle();

    expect(recorder.statuses).toEqual(['PENDING_POLICY']);
    controller.abort();
    await expect(watching).resolves.toEqual({ ok: true, value: undefined });
  });
});

describe('IntakeService.awaitDecision', () => {
  it('returns decided=false with the current view when the timeout passes first', async () => {
    jest.useFakeTimers({ doNotFake: ['setImmediate', 'nextTick', 'queueMicrotask'] });
    const { store, intake } = await given();
    await record(store, actionId, events.requested(actionId), events.evaluated(actionId, 'REQUIRE_APPROVAL'), events.approvalRequested(actionId));
    let settled = false;

    const waiting = intake.awaitDecision(agentId, actionId, 30_000).finally(() => (settled = true));
    await jest.advanceTimersByTimeAsync(29_999);
    expect(settled).toBe(false);
    await jest.advanceTimersByTimeAsync(1);

    await expect(waiting).resolves.toMatchObject({ ok: true, value: { decided: false, action: { actionId, status: 'AWAITING_APPROVAL' } } });
  });

  it('returns on timeout the view as it is then, with the votes cast while it waited', async () => {
    jest.useFakeTimers({ doNotFake: ['setImmediate', 'nextTick', 'queueMicrotask'] });
    const { store, intake } = await given();
    await record(store, actionId, events.requested(actionId), events.evaluated(actionId, 'REQUIRE_APPROVAL'), events.approvalRequested(actionId));

    const waiting = intake.awaitDecision(agentId, actionId, 30_000);
    await settle();
    await record(store, actionId, events.voteCast(actionId, 'alice'));
    await settle();
    await jest.advanceTimersByTimeAsync(30_000);

    const current = await intake.getAction(agentId, actionId);
    expect(current).toMatchObject({ ok: true, value: { revision: '3', approval: { votes: [{ approverId: 'alice' }] } } });
    await expect(waiting).resolves.toEqual({ ok: true, value: { decided: false, action: current.ok && current.value } });
  });

  it('returns decided=true with the grant once the action is approved', async () => {
    const { store, intake } = await given();
    await record(store, actionId, events.requested(actionId), events.evaluated(actionId, 'REQUIRE_APPROVAL'), events.approvalRequested(actionId));

    const waiting = intake.awaitDecision(agentId, actionId, 60_000);
    await settle();
    await record(store, actionId, events.voteCast(actionId, 'alice'));
    await record(store, actionId, events.voteCast(actionId, 'bob'), events.approved(actionId), events.grantIssued(actionId));

    await expect(waiting).resolves.toMatchObject({
      ok: true,
      value: { decided: true, action: { status: 'APPROVED', grant: { grantId: 'grant-1', token: 'token-grant-1' } } },
    });
  });

  it('answers at once for an action decided before the call', async () => {
    const { store, intake } = await given();
    await record(store, actionId, events.requested(actionId), events.evaluated(actionId, 'DENY'), events.denied(actionId));

    await expect(intake.awaitDecision(agentId, actionId, 60_000)).resolves.toMatchObject({ ok: true, value: { decided: true, action: { status: 'DENIED' } } });
  });

  it("reports another agent's action as NOT_FOUND", async () => {
    const { store, intake } = await given();
    await record(store, actionId, events.requested(actionId));

    await expect(intake.awaitDecision(otherAgentId, actionId, 60_000)).resolves.toEqual({
      ok: false,
      error: { code: 'NOT_FOUND', message: `action ${actionId} not found` },
    });
  });
});

describe('IntakeService.cancel', () => {
  it("sends CancelAction for the agent's own action and returns the view after it", async () => {
    const { store, intake, commands } = await given();
    await record(store, actionId, events.requested(actionId));
    commands.answer = async (): Promise<CommandReply> => {
      await record(store, actionId, events.cancelled(actionId));
      return { ok: true, actionId, status: 'CANCELLED' };
    };

    const result = await intake.cancel(agentId, actionId, '  no longer needed ', { traceparent: TRACEPARENT });

    expect(commands.sent).toEqual([
      {
        command: Commands.cancelAction,
        message: {
          type: 'CancelAction',
          data: { actionId, agentId, reason: 'no longer needed' },
          metadata: { messageId: 'msg-1', correlationId: actionId, occurredAt: T0, traceparent: TRACEPARENT },
        },
      },
    ]);
    expect(result).toMatchObject({ ok: true, value: { actionId, status: 'CANCELLED', reason: 'no longer needed' } });
  });

  it('gives a reason when the agent gives none', async () => {
    const { store, intake, commands } = await given();
    await record(store, actionId, events.requested(actionId));

    await intake.cancel(agentId, actionId, '   ');

    expect(commands.sent[0]!.message).toMatchObject({ data: { reason: 'cancelled by the agent' } });
  });

  it("refuses another agent's action as NOT_FOUND without sending anything", async () => {
    const { store, intake, commands } = await given();
    await record(store, actionId, events.requested(actionId));

    const result = await intake.cancel(otherAgentId, actionId, 'mine now');

    expect(result).toEqual({ ok: false, error: { code: 'NOT_FOUND', message: `action ${actionId} not found` } });
    expect(commands.sent).toEqual([]);
  });

  it('maps a refusal of the decision to its intake error', async () => {
    const { store, intake, commands } = await given();
    await record(store, actionId, events.requested(actionId), events.evaluated(actionId, 'DENY'), events.denied(actionId));
    commands.answer = () => ({ ok: false, code: 'ALREADY_FINAL', message: 'already denied' });

    await expect(intake.cancel(agentId, actionId, 'too late')).resolves.toEqual({
      ok: false,
      error: { code: 'FAILED_PRECONDITION', message: 'already denied' },
    });
  });
});

describe('IntakeService.reportExecution', () => {
  const report = { actionId, grantId: 'grant-1', status: 'SUCCEEDED' as const, detail: 'exported 5000 rows' };

  it("sends ReportExecution for the agent's own action and returns the view after it", async () => {
    const { store, intake, commands } = await given();
    await record(store, actionId, events.requested(actionId), events.evaluated(actionId, 'ALLOW'), events.approved(actionId, []), events.grantIssued(actionId));
    commands.answer = async (): Promise<CommandReply> => {
      await record(store, actionId, {
        type: 'ExecutionReported',
        data: { actionId, grantId: 'grant-1', status: 'SUCCEEDED', detail: 'exported 5000 rows', reportedAt: T0 },
      });
      return { ok: true, actionId, status: 'APPROVED' };
    };

    const result = await intake.reportExecution(agentId, report, { traceparent: TRACEPARENT });

    expect(commands.sent).toEqual([
      {
        command: Commands.reportExecution,
        message: {
          type: 'ReportExecution',
          data: { ...report, agentId },
          metadata: { messageId: 'msg-1', correlationId: actionId, occurredAt: T0, traceparent: TRACEPARENT },
        },
      },
    ]);
    expect(result).toMatchObject({ ok: true, value: { status: 'APPROVED', execution: { grantId: 'grant-1', status: 'SUCCEEDED' } } });
  });

  it("refuses another agent's action as NOT_FOUND without sending anything", async () => {
    const { store, intake, commands } = await given();
    await record(store, actionId, events.requested(actionId), events.evaluated(actionId, 'ALLOW'), events.approved(actionId, []), events.grantIssued(actionId));

    const result = await intake.reportExecution(otherAgentId, report);

    expect(result).toEqual({ ok: false, error: { code: 'NOT_FOUND', message: `action ${actionId} not found` } });
    expect(commands.sent).toEqual([]);
  });

  it('maps a refusal of the decision to its intake error', async () => {
    const { store, intake, commands } = await given();
    await record(store, actionId, events.requested(actionId), events.evaluated(actionId, 'ALLOW'), events.approved(actionId, []), events.grantIssued(actionId));
    commands.answer = () => ({ ok: false, code: 'PERMISSION_DENIED', message: 'grant grant-9 is not the grant issued' });

    await expect(intake.reportExecution(agentId, { ...report, grantId: 'grant-9' })).resolves.toEqual({
      ok: false,
      error: { code: 'PERMISSION_DENIED', message: 'grant grant-9 is not the grant issued' },
    });
  });
});

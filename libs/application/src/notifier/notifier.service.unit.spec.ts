import { Commands } from '@approvals/contracts';
import type { ApprovalEvent } from '@approvals/domain';
import { InMemoryEventStore } from '@approvals/testing';
import { NotifierService } from './notifier.service';
import {
  agentId,
  at,
  awaitingApproval,
  directory,
  fixedClock,
  InMemoryPendingApprovalStore,
  record,
  RecordingChannel,
  RecordingCommandSender,
  request,
  requirement,
  sequentialIds,
  T0,
  voteCast,
} from './spec/notifier.spec-helpers';
import { ManualClock } from '@approvals/testing';
import type { PendingApproval } from './pending-approval';

const TRACEPARENT = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';
const TRACESTATE = 'vendor=opaque';
const actionId = 'act-1';

function given() {
  const store = new InMemoryEventStore();
  const pending = new InMemoryPendingApprovalStore();
  const channels = [new RecordingChannel('log'), new RecordingChannel('console')];
  const commands = new RecordingCommandSender(() => ({ ok: true, actionId, status: 'AWAITING_APPROVAL' }));
  const notifier = new NotifierService(store, pending, channels, commands, directory, fixedClock, sequentialIds('msg'));
  return { store, pending, channels, commands, notifier };
}

describe('NotifierService: an approval request', () => {
  it('is kept as a pending approval with the human acted for and the agent owner', async () => {
    const { store, pending, notifier } = given();
    const requested = await awaitingApproval(store, actionId);

    await notifier.onLedgerEvent(requested);

    expect(await pending.get(actionId)).toEqual({
      actionId,
      agentId,
      model: request.model,
      onBehalfOf: 'olivia',
      agentOwner: 'oscar',
      action: request.action,
      resource: request.resource,
      environment: request.environment,
      dataClassification: request.dataClassification,
      parameters: request.parameters,
      requestHash: 'sha256:request',
      justification: request.justification,
      steps: requirement.steps,
      approvedBy: [],
      voters: [],
      reasons: ['exports in prod need two data owners'],
      policies: ['export-prod'],
      requestedAt: T0,
      expiresAt: at(900),
      notified: true,
      delivered: [
        { channel: 'log', target: 'log:approvers' },
        { channel: 'console', target: 'console:approvers' },
      ],
    });
  });

  it('is delivered to each channel once, and each delivery is recorded with RecordNotification', async () => {
    const { store, channels, commands, notifier } = given();
    const requested = await awaitingApproval(store, actionId, T0, { traceparent: TRACEPARENT });

    await notifier.onLedgerEvent(requested);

    expect(channels.map((channel) => channel.delivered.map((item) => item.actionId))).toEqual([[actionId], [actionId]]);
    const metadata = (messageId: string) => ({
      messageId,
      correlationId: actionId,
      causationId: requested.metadata.messageId,
      occurredAt: T0,
      traceparent: TRACEPARENT,
    });
    expect(commands.sent).toEqual([
      {
        command: Commands.recordNotification,
        message: { type: 'RecordNotification', data: { actionId, channel: 'log', target: 'log:approvers' }, metadata: metadata('msg-1') },
      },
      {
        command: Commands.recordNotification,
        message: { type: 'RecordNotification', data: { actionId, channel: 'console', target: 'console:approvers' }, metadata: metadata('msg-2') },
      },
    ]);
  });

  it('records the deliveries under the whole W3C trace context of the request (traceparent and tracestate)', async () => {
    const { store, commands, notifier } = given();
    const requested = await awaitingApproval(store, actionId, T0, { traceparent: TRACEPARENT, tracestate: TRACESTATE });

    await notifier.onLedgerEvent(requested);

    expect(commands.sent.map((sent) => (sent.message as { metadata: unknown }).metadata)).toEqual([
      expect.objectContaining({ traceparent: TRACEPARENT, tracestate: TRACESTATE }),
      expect.objectContaining({ traceparent: TRACEPARENT, tracestate: TRACESTATE }),
    ]);
  });

  it('delivered again after it was notified tells nobody again', async () => {
    const { store, channels, commands, notifier } = given();
    const requested = await awaitingApproval(store, actionId);
    await notifier.onLedgerEvent(requested);

    await notifier.onLedgerEvent(requested);

    expect(channels.map((channel) => channel.delivered.length)).toEqual([1, 1]);
    expect(commands.sent).toHaveLength(2);
  });

  it('whose delivery to one channel failed is retried with backoff, the others not held up, and nobody told twice', async () => {
    const clock = new ManualClock(T0);
    const store = new InMemoryEventStore();
    const pending = new InMemoryPendingApprovalStore();
    const channels = [new RecordingChannel('log'), new RecordingChannel('console')];
    const commands = new RecordingCommandSender(() => ({ ok: true, actionId, status: 'AWAITING_APPROVAL' }));
    const errors: string[] = [];
    const notifier = new NotifierService(store, pending, channels, commands, directory, clock, sequentialIds('msg'), {
      retryBaseMs: 1000,
      onChannelError: (_error, { channel, attempts }) => errors.push(`${channel}#${attempts}`),
    });
    const requested = await awaitingApproval(store, actionId);
    channels[1]!.failNext = new Error('console unreachable');

    await notifier.onLedgerEvent(requested);
    expect(channels.map((channel) => channel.delivered.length)).toEqual([1, 0]);
    expect(await pending.get(actionId)).toMatchObject({ notified: true, undelivered: [{ channel: 'console', attempts: 1, nextAttemptAt: at(1) }] });

    expect(await notifier.retryDeliveries()).toBe(0); // not due yet
    clock.instant = at(1);
    channels[1]!.failNext = new Error('still unreachable');
    expect(await notifier.retryDeliveries()).toBe(0);
    expect(await pending.get(actionId)).toMatchObject({ undelivered: [{ channel: 'console', attempts: 2, nextAttemptAt: at(3) }] });
    clock.instant = at(3);
    expect(await notifier.retryDeliveries()).toBe(1);
    expect(await notifier.retryDeliveries()).toBe(0);

    // A redelivered ApprovalRequested posts nothing again; the deliveries are recorded once each by the ledger.
    await notifier.onLedgerEvent(requested);
    expect(channels.map((channel) => channel.delivered.length)).toEqual([1, 1]);
    expect(errors).toEqual(['console#1', 'console#2']);
    // The deliveries, and the first failure of the console (the second is only logged).
    const recorded = commands.sent.map((sent) => {
      const data = (sent.message as { data: { channel: string; error?: string } }).data;
      return data.error ? `${data.channel} failed: ${data.error}` : data.channel;
    });
    expect(recorded).toEqual(['log', 'console failed: console unreachable', 'console']);
    expect(await pending.get(actionId)).toMatchObject({ delivered: [{ channel: 'log' }, { channel: 'console' }], undelivered: [] });
  });

  it('that the ledger shows as already decided is neither kept nor delivered', async () => {
    const { store, pending, channels, commands, notifier } = given();
    const requested = await awaitingApproval(store, actionId);
    await record(store, actionId, [{ type: 'ActionCancelled', data: { actionId, cancelledBy: agentId, reason: 'not needed', cancelledAt: at(10) } }]);

    await notifier.onLedgerEvent(requested);

    expect(await pending.get(actionId)).toBeUndefined();
    expect(channels.map((channel) => channel.delivered.length)).toEqual([0, 0]);
    expect(commands.sent).toEqual([]);
  });
});

describe('NotifierService: votes and outcomes', () => {
  it('keeps every voter, and the approvers among them, once each', async () => {
    const { store, pending, notifier } = given();
    await notifier.onLedgerEvent(await awaitingApproval(store, actionId));
    const [alice] = await record(store, actionId, [voteCast(actionId, 'alice', 'APPROVE')]);
    const [bob] = await record(store, actionId, [voteCast(actionId, 'bob', 'DENY')]);

    await notifier.onLedgerEvent(alice!);
    await notifier.onLedgerEvent(bob!);
    await notifier.onLedgerEvent(alice!);

    expect(await pending.get(actionId)).toMatchObject({ voters: ['alice', 'bob'], approvedBy: ['alice'] });
  });

  it('ignores a vote for an action that is not pending', async () => {
    const { store, pending, notifier } = given();
    const [vote] = await record(store, actionId, [voteCast(actionId, 'alice')]);

    await notifier.onLedgerEvent(vote!);

    expect(await pending.list(10)).toEqual([]);
  });

  it.each<ApprovalEvent>([
    { type: 'ActionApproved', data: { actionId, approvedBy: ['alice', 'bob'], by: 'APPROVERS', approvedAt: at(60) } },
    { type: 'ActionDenied', data: { actionId, by: 'APPROVER', deniedBy: 'bob', reason: 'no', deniedAt: at(60) } },
    { type: 'ActionExpired', data: { actionId, expiresAt: at(900), expiredAt: at(900) } },
    { type: 'ActionCancelled', data: { actionId, cancelledBy: agentId, reason: 'not needed', cancelledAt: at(60) } },
  ])('removes the pending approval at its final outcome ($type)', async (outcome) => {
    const { store, pending, notifier } = given();
    await notifier.onLedgerEvent(await awaitingApproval(store, actionId));
    const [final] = await record(store, actionId, [outcome]);

    await notifier.onLedgerEvent(final!);

    expect(await pending.get(actionId)).toBeUndefined();
  });
});

describe('NotifierService.listPending', () => {
  async function withOnePending() {
    const context = given();
    await context.notifier.onLedgerEvent(await awaitingApproval(context.store, actionId));
    const [vote] = await record(context.store, actionId, [voteCast(actionId, 'alice')]);
    await context.notifier.onLedgerEvent(vote!);
    return context;
  }

  it('lists everything pending when asked for no one in particular', async () => {
    const { notifier } = await withOnePending();

    expect((await notifier.listPending(10)).map((item) => item.actionId)).toEqual([actionId]);
  });

  it('shows an approver the requests they may still vote on', async () => {
    const { notifier } = await withOnePending();

    expect((await notifier.listPending(10, 'bob')).map((item) => item.actionId)).toEqual([actionId]);
  });

  it.each([
    ['the requesting agent', agentId],
    ['the human the agent acts for', 'olivia'],
    ["the agent's owner", 'oscar'],
    ['someone who already voted', 'alice'],
    ['someone outside the required groups', 'sam'],
    ['someone the directory does not know', 'mallory'],
  ])('hides a request from %s', async (_who, approverId) => {
    const { notifier } = await withOnePending();

    expect(await notifier.listPending(10, approverId)).toEqual([]);
  });

  it('returns at most `limit` requests an approver may vote on, oldest first', async () => {
    const { store, notifier } = given();
    await notifier.onLedgerEvent(await awaitingApproval(store, 'act-late', at(30)));
    await notifier.onLedgerEvent(await awaitingApproval(store, 'act-early', at(10)));
    await notifier.onLedgerEvent(await awaitingApproval(store, 'act-latest', at(40)));

    expect((await notifier.listPending(2, 'bob')).map((item) => item.actionId)).toEqual(['act-early', 'act-late']);
  });
});

describe('NotifierService.castVote', () => {
  it('sends CastVote with the approver, the channel and the trace context, and returns the reply', async () => {
    const { commands, notifier } = given();
    commands.answer = () => ({ ok: true, actionId, status: 'AWAITING_APPROVAL', rejection: { reason: 'SELF_APPROVAL', detail: 'olivia is acted for' } });

    const reply = await notifier.castVote({ actionId, approverId: 'olivia', channel: 'slack', decision: 'APPROVE', comment: 'fine', traceparent: TRACEPARENT });

    expect(reply).toEqual({ ok: true, actionId, status: 'AWAITING_APPROVAL', rejection: { reason: 'SELF_APPROVAL', detail: 'olivia is acted for' } });
    expect(commands.sent).toEqual([
      {
        command: Commands.castVote,
        message: {
          type: 'CastVote',
          data: { actionId, approverId: 'olivia', channel: 'slack', decision: 'APPROVE', comment: 'fine' },
          metadata: { messageId: 'msg-1', correlationId: actionId, occurredAt: T0, traceparent: TRACEPARENT },
        },
      },
    ]);
  });

  it('leaves an empty comment out', async () => {
    const { commands, notifier } = given();

    await notifier.castVote({ actionId, approverId: 'bob', channel: 'web', decision: 'DENY', comment: '' });

    expect((commands.sent[0]!.message as { data: object }).data).toEqual({ actionId, approverId: 'bob', channel: 'web', decision: 'DENY' });
  });
});

describe('NotifierService: break-glass', () => {
  const invoked = (): ApprovalEvent[] => [
    {
      type: 'BreakGlassInvoked',
      data: {
        actionId,
        invokedBy: 'sam',
        channel: 'api',
        justification: 'customers cannot log in',
        invokedByRequester: false,
        reviewGroups: ['data-owners'],
        invokedAt: at(30),
        reviewDueAt: at(3630),
      },
    },
    { type: 'ActionApproved', data: { actionId, approvedBy: ['sam'], by: 'BREAK_GLASS', approvedAt: at(30) } },
  ];

  it('tells every approver of the review groups, not the requesting side, on every channel, records each notice, and keeps the review pending after the outcome', async () => {
    const { store, pending, channels, commands, notifier } = given();
    await notifier.onLedgerEvent(await awaitingApproval(store, actionId));
    const [breakGlass, approved] = await record(store, actionId, invoked());

    await notifier.onLedgerEvent(breakGlass!);
    await notifier.onLedgerEvent(approved!);

    // The agent's namesake, olivia (acted for) and oscar (owner) are data owners too, but on the requesting side.
    const members = ['alice', 'bob'];
    for (const channel of channels) expect(channel.breakGlassNotices.map((notice) => notice.recipient)).toEqual(members);
    const notices = commands.sent.filter((sent) => (sent.message as { data: { purpose?: string } }).data.purpose === 'BREAK_GLASS');
    expect(notices.map((sent) => (sent.message as { data: { channel: string; target: string } }).data)).toEqual(
      members.flatMap((member) => channels.map((channel) => expect.objectContaining({ channel: channel.name, target: member }))),
    );
    expect(notices.every((sent) => sent.command === Commands.recordNotification)).toBe(true);
    expect(await pending.get(actionId)).toMatchObject({
      kind: 'BREAK_GLASS_REVIEW',
      steps: [{ group: 'data-owners', minApprovals: 1 }],
      breakGlass: { invokedBy: 'sam', reviewDueAt: at(3630) },
    });
    // The invoker and the requesting side never see it as theirs to review.
    expect((await notifier.listPending(10, 'alice')).map((item) => item.actionId)).toEqual([actionId]);
    expect(await notifier.listPending(10, 'sam')).toEqual([]);
    expect(await notifier.listPending(10, 'olivia')).toEqual([]);
  });

  it('drops the review from the pending list once it is reviewed', async () => {
    const { store, pending, notifier } = given();
    await notifier.onLedgerEvent(await awaitingApproval(store, actionId));
    for (const message of await record(store, actionId, invoked())) await notifier.onLedgerEvent(message);
    const [reviewed] = await record(store, actionId, [
      {
        type: 'BreakGlassReviewed',
        data: { actionId, reviewedBy: 'alice', channel: 'api', verdict: 'JUSTIFIED', comment: 'real outage', reviewedAt: at(600) },
      },
    ]);
    await notifier.onLedgerEvent(reviewed!);
    expect(await pending.get(actionId)).toBeUndefined();
  });
});

describe('NotifierService: reminders and the owner', () => {
  it('reminds once, shortly before expiry, where the request was delivered, and records each reminder', async () => {
    const clock = new ManualClock(T0);
    const store = new InMemoryEventStore();
    const pending = new InMemoryPendingApprovalStore();
    const channels = [new RecordingChannel('log')];
    const commands = new RecordingCommandSender(() => ({ ok: true, actionId, status: 'AWAITING_APPROVAL' }));
    const notifier = new NotifierService(store, pending, channels, commands, directory, clock, sequentialIds('msg'));
    await notifier.onLedgerEvent(await awaitingApproval(store, actionId)); // expires at 900 s

    clock.instant = at(500);
    expect(await notifier.sendReminders(300)).toBe(0);
    clock.instant = at(601);
    expect(await notifier.sendReminders(300)).toBe(1);
    expect(await notifier.sendReminders(300)).toBe(0);
    expect(channels[0]!.reminders).toEqual([actionId]);
    expect(commands.sent.map((sent) => (sent.message as { data: { target: string } }).data.target)).toEqual(['log:approvers', 'reminder:log:approvers']);
    clock.instant = at(901);
    expect(await notifier.sendReminders(300)).toBe(0); // expired: nothing to remind of
  });

  it('reminds once when two replicas share the pending list and both look at the same moment', async () => {
    const clock = new ManualClock(T0);
    const store = new InMemoryEventStore();
    const pending = new InMemoryPendingApprovalStore();
    const channels = [new RecordingChannel('log')];
    const commands = new RecordingCommandSender(() => ({ ok: true, actionId, status: 'AWAITING_APPROVAL' }));
    const [one, two] = [0, 1].map(() => new NotifierService(store, pending, channels, commands, directory, clock, sequentialIds('msg')));
    await one!.onLedgerEvent(await awaitingApproval(store, actionId));

    clock.instant = at(601);
    // Both read the list before either reminds: the claim in the shared store decides.
    const items = await one!.pendingItems();
    const sent = await Promise.all([one!.sendReminders(300, items), two!.sendReminders(300, items)]);
    expect(sent.sort()).toEqual([0, 1]);
    expect(channels[0]!.reminders).toEqual([actionId]);
  });

  it('never keeps an action decided while its request was being added (its outcome handled on another replica meanwhile)', async () => {
    const store = new InMemoryEventStore();
    const shared = new InMemoryPendingApprovalStore();
    const commands = new RecordingCommandSender(() => ({ ok: true, actionId, status: 'AWAITING_APPROVAL' }));
    const other = new NotifierService(store, shared, [new RecordingChannel('log')], commands, directory, fixedClock, sequentialIds('other'));
    // Between this replica's look at the ledger and its add, the action is denied and the other
    // replica handles the outcome (finding nothing to remove yet).
    const racing = Object.assign(Object.create(shared) as InMemoryPendingApprovalStore, {
      add: async (item: PendingApproval) => {
        const [denied] = await record(store, actionId, [{ type: 'ActionDenied', data: { actionId, by: 'APPROVER', deniedBy: 'alice', reason: 'no', deniedAt: at(60) } }]);
        await other.onLedgerEvent(denied!);
        return shared.add(item);
      },
    });
    const channel = new RecordingChannel('log');
    const notifier = new NotifierService(store, racing, [channel], commands, directory, fixedClock, sequentialIds('msg'));
    await notifier.onLedgerEvent(await awaitingApproval(store, actionId));
    expect(await shared.get(actionId)).toBeUndefined();
    expect(await notifier.listPending(10)).toEqual([]);
    expect(channel.delivered).toEqual([]);
  });

  it("tells the agent's accountable owner how the request ended", async () => {
    const { store, channels, notifier } = given();
    await notifier.onLedgerEvent(await awaitingApproval(store, actionId));
    const [denied] = await record(store, actionId, [
      { type: 'ActionDenied', data: { actionId, by: 'APPROVER', deniedBy: 'alice', reason: 'not this quarter', deniedAt: at(60) } },
    ]);
    await notifier.onLedgerEvent(denied!);
    expect(channels[0]!.ownerNotices).toEqual([{ owner: 'oscar', outcome: 'Denied by alice: not this quarter' }]);
  });
});

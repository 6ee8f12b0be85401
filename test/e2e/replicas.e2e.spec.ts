import type { RequestActionRequest } from '@approvals/contracts';
import { Topics } from '@approvals/contracts';
import { Kafka, logLevel } from 'kafkajs';
import type { ApprovalsClient } from '@approvals/client';
import { isServiceError, statusName, unary } from '@approvals/client';
import { DistributedSystem, distributedServices } from '@approvals/testing';
import { actionRequest, awaitOutcome, clientAs, eventually, policiesWithTtl } from './support';

jest.setTimeout(420_000);

const finalTypes = ['ActionApproved', 'ActionDenied', 'ActionExpired', 'ActionCancelled'];
/** Approval requests wait this long for people: long enough to vote on, short enough to see expiries and reminders. */
const TTL_SECONDS = 25;

/** Every other request needs a data owner's approval; the rest are allowed by policy. */
const requestsFor = (count: number, tag: string): RequestActionRequest[] =>
  Array.from({ length: count }, (_, i) =>
    actionRequest(i % 2 === 0 ? { action: 'db.export', parametersJson: JSON.stringify({ rows: 5000 + i, tag }) } : { action: 'db.read', parametersJson: JSON.stringify({ n: i, tag }) }),
  );

/** What an agent does when the system answers "not now": retry with the same idempotency key, through any replica. */
async function requestUntilAccepted(agents: ApprovalsClient[], request: RequestActionRequest, timeoutMs = 120_000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  for (let attempt = 0; ; attempt++) {
    const agent = agents[attempt % agents.length]!;
    try {
      return (await unary(agent.intake, 'RequestAction', request, undefined, { deadline: Date.now() + 15_000 })).actionId;
    } catch (error) {
      const retryable = isServiceError(error) && ['UNAVAILABLE', 'DEADLINE_EXCEEDED', 'ABORTED', 'CANCELLED'].includes(statusName(error.code));
      if (!retryable || Date.now() > deadline) throw error;
      await new Promise((r) => setTimeout(r, 250));
    }
  }
}

const pendingIds = async (approver: ApprovalsClient) => (await unary(approver.decisions, 'ListPending', { onlyMine: true, limit: 500 })).items.map((item) => item.actionId).sort();

/**
 * Distributed mode as operators run it: two replicas of every service, each with a data
 * directory of its own, on the real broker and PostgreSQL. One replica of each is killed (-9)
 * while requests are in flight; nothing accepted may be lost, doubled or left behind.
 */
describe('distributed mode with two replicas of every service', () => {
  let system: DistributedSystem;
  const clients: ApprovalsClient[] = [];
  const client = (replica: number, id: string) => {
    const made = clientAs(system.addressesOf(replica), id);
    clients.push(made);
    return made;
  };

  beforeAll(async () => {
    system = await DistributedSystem.start({
      replicas: 2,
      env: { APPROVALS_POLICY_DIR: policiesWithTtl(TTL_SECONDS), APPROVALS_LEASE_TTL_MS: '3000', APPROVALS_REMINDER_BEFORE_SECONDS: '12' },
    });
  });
  afterAll(async () => {
    for (const made of clients) made.close();
    await system?.dispose();
  });

  it('loses nothing when one replica of each service is killed: one outcome each, every grant redeems, one inbox, one expiry and one reminder each', async () => {
    const agents = [client(1, 'agent-reporting'), client(2, 'agent-reporting')];
    const bobs = [client(1, 'bob'), client(2, 'bob')];

    // Before the failover: requests through both intakes.
    const before = requestsFor(30, 'before');
    const beforeIds = await Promise.all(before.map((request, i) => requestUntilAccepted([agents[i % 2]!, agents[(i + 1) % 2]!], request)));
    const exportsBefore = beforeIds.filter((_, i) => before[i]!.action === 'db.export');

    // One inbox, whichever notifier answers.
    const inbox = await eventually(() => pendingIds(bobs[0]!), (ids) => exportsBefore.every((id) => ids.includes(id)), 60_000);
    expect(await pendingIds(bobs[1]!)).toEqual(inbox);

    // kill -9 one replica of every service while more requests are on their way.
    const during = requestsFor(30, 'during');
    const sending = Promise.all(during.map((request) => requestUntilAccepted([agents[1]!], request)));
    await Promise.all(distributedServices.map((service) => system.service(service, 1).kill()));
    const duringIds = await sending;
    const after = requestsFor(20, 'after');
    const afterIds = await Promise.all(after.map((request) => requestUntilAccepted([agents[1]!], request)));

    const requests = [...before, ...during, ...after];
    const ids = [...beforeIds, ...duringIds, ...afterIds];
    expect(new Set(ids).size).toBe(requests.length);

    // Half of the waiting ones approved through the surviving notifier; the others expire.
    const exports = ids.filter((_, i) => requests[i]!.action === 'db.export');
    const approved = new Set(exports.filter((_, i) => i % 2 === 0));
    for (const actionId of approved) {
      await eventually(() => pendingIds(bobs[1]!), (pending) => pending.includes(actionId), 60_000);
      expect(await unary(bobs[1]!.decisions, 'CastVote', { actionId, decision: 'APPROVE' })).toMatchObject({ status: 'APPROVED' });
    }

    // Every action reaches its outcome; every grant, issued before or after the failover, redeems once.
    for (const [index, actionId] of ids.entries()) {
      const expected = requests[index]!.action === 'db.read' || approved.has(actionId) ? 'APPROVED' : 'EXPIRED';
      const outcome = await eventually(() => awaitOutcome(agents[1]!, actionId, 5_000), (r) => r.decided, (TTL_SECONDS + 60) * 1000);
      expect({ actionId, status: outcome.action?.status }).toEqual({ actionId, status: expected });
      if (expected !== 'APPROVED') continue;
      const redeemed = await unary(agents[1]!.intake, 'RedeemGrant', { token: outcome.action!.grant!.token, requestHash: outcome.action!.requestHash });
      expect({ actionId, redeemed: redeemed.redeemed, reason: redeemed.rejectionReason }).toEqual({ actionId, redeemed: true, reason: '' });
    }

    // No decided action stays in an inbox.
    expect(await eventually(() => pendingIds(bobs[1]!), (pending) => pending.length === 0, 30_000)).toEqual([]);

    // Exactly one outcome per action in the ledger; each expiry and each reminder once.
    const logs = system.logs;
    let events = 0;
    for (const actionId of ids) {
      const timeline = await eventually(
        () => unary(bobs[1]!.audit, 'GetTimeline', { actionId }),
        (t) => t.entries.some((e) => finalTypes.includes(e.type)),
        30_000,
      );
      expect({ actionId, outcomes: timeline.entries.filter((e) => finalTypes.includes(e.type)).length }).toEqual({ actionId, outcomes: 1 });
      expect(timeline.entries.map((e) => e.revision)).toEqual(timeline.entries.map((_, i) => i));
      events += timeline.entries.length;
      if (exports.includes(actionId) && !approved.has(actionId)) {
        // The log channel writes one line per reminder, on whichever notifier sent it.
        const reminders = logs.split('\n').filter((line) => line.includes('"msg":"reminder:') && line.includes(actionId));
        expect({ actionId, reminders: reminders.length }).toEqual({ actionId, reminders: 1 });
      }
    }

    // One outbox relay at a time: each event published about once (a takeover republishes at most
    // what the last checkpoint had not covered), not once per decision replica.
    const published = await messagesOn(`${system.namespace}.${Topics.ledgerEvents}`);
    expect(published).toBeGreaterThanOrEqual(events);
    expect(published / events).toBeLessThan(1.25);
    // And no replica took another's work for a broken ledger (two log keepers would).
    expect(system.logs).not.toContain('the ledger is inconsistent');
  });

  it('loses nothing in a rolling restart of every service, one replica at a time, under load', async () => {
    await system.spawn(); // the replicas killed before come back
    const agents = [client(1, 'agent-reporting'), client(2, 'agent-reporting')];
    const bobs = [client(1, 'bob'), client(2, 'bob')];
    const requests: RequestActionRequest[] = [];
    const accepted: Promise<string>[] = [];
    let loading = true;
    let approving = true;
    // An approver at work meanwhile, through whichever notifier answers.
    const approver = (async () => {
      for (let turn = 0; approving; turn++) {
        const bob = bobs[turn % 2]!;
        try {
          for (const actionId of await pendingIds(bob)) await unary(bob.decisions, 'CastVote', { actionId, decision: 'APPROVE' });
        } catch {
          // that notifier is restarting: the other one is asked next
        }
        await new Promise((resolve) => setTimeout(resolve, 300));
      }
    })();
    const load = (async () => {
      for (let round = 0; loading; round++) {
        const batch = requestsFor(4, `rolling-${round}`);
        requests.push(...batch);
        accepted.push(...batch.map((request) => requestUntilAccepted(agents, request)));
        await new Promise((resolve) => setTimeout(resolve, 250));
      }
    })();

    try {
      for (const service of distributedServices) {
        for (const replica of [1, 2]) {
          const process = system.service(service, replica);
          expect(await process.stop()).toBe(0); // graceful: SIGTERM, then the process exits cleanly
          await process.spawn();
        }
      }
    } finally {
      loading = false;
      await load;
    }
    try {
      const ids = await Promise.all(accepted);
      expect(new Set(ids).size).toBe(requests.length);
      expect(requests.length).toBeGreaterThan(20);

      for (const [index, actionId] of ids.entries()) {
        const outcome = await eventually(() => awaitOutcome(agents[index % 2]!, actionId, 5_000), (r) => r.decided, 60_000);
        expect({ actionId, status: outcome.action?.status }).toEqual({ actionId, status: 'APPROVED' });
        const redeemed = await unary(agents[(index + 1) % 2]!.intake, 'RedeemGrant', { token: outcome.action!.grant!.token, requestHash: outcome.action!.requestHash });
        expect({ actionId, redeemed: redeemed.redeemed }).toEqual({ actionId, redeemed: true });
      }
    } finally {
      approving = false;
      await approver;
    }
    expect(await eventually(() => pendingIds(bobs[0]!), (pending) => pending.length === 0, 30_000)).toEqual([]);
    expect(system.logs).not.toContain('the ledger is inconsistent');
  });
});

/** How many messages a topic holds (the sum of its partitions' high watermarks). */
async function messagesOn(topic: string): Promise<number> {
  const admin = new Kafka({ clientId: 'replicas-e2e', brokers: process.env['KAFKA_BROKERS']!.split(','), logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  try {
    return (await admin.fetchTopicOffsets(topic)).reduce((sum, partition) => sum + Number(partition.high), 0);
  } finally {
    await admin.disconnect();
  }
}

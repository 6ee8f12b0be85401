import { randomUUID } from 'node:crypto';
import type { RequestActionRequest, RequestActionResponse__Output } from '@approvals/contracts';
import { Topics, deadLetterSchema } from '@approvals/contracts';
import type { ApprovalsClient } from '@approvals/client';
import { isServiceError, statusName, unary } from '@approvals/client';
import type { DistributedService } from '@approvals/testing';
import { DistributedSystem, KafkaBroker, TcpProxy, distributedServices, testPostgresUrl } from '@approvals/testing';
import { Kafka, logLevel } from 'kafkajs';
import { actionIdFor } from '@approvals/application';
import { actionRequest, awaitOutcome, clientAs, eventually, failure } from './support';

jest.setTimeout(240_000);

const finalTypes = ['ActionApproved', 'ActionDenied', 'ActionExpired', 'ActionCancelled'];
/** Requests still unanswered when the fault strikes: it strikes once `early` were accepted. */
const inFlight = 200;
const early = 20;

/** A quarter of the requests need a data owner's approval; the rest are allowed by policy. */
const requestsFor = (count: number): RequestActionRequest[] =>
  Array.from({ length: count }, (_, i) =>
    actionRequest(i % 4 === 0 ? { action: 'db.export', parametersJson: JSON.stringify({ rows: 5000 + i }) } : { action: 'db.read', parametersJson: JSON.stringify({ n: i }) }),
  );

/** What an agent does when the system answers "not now": retry with the same idempotency key. */
async function requestUntilAccepted(agent: ApprovalsClient, request: RequestActionRequest, timeoutMs = 90_000): Promise<RequestActionResponse__Output> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await unary(agent.intake, 'RequestAction', request, undefined, { deadline: Date.now() + 15_000 });
    } catch (error) {
      const retryable = isServiceError(error) && ['UNAVAILABLE', 'DEADLINE_EXCEEDED', 'ABORTED', 'CANCELLED'].includes(statusName(error.code));
      if (!retryable || Date.now() > deadline) throw error;
      await new Promise((r) => setTimeout(r, 250));
    }
  }
}

/**
 * Every request reaches exactly one outcome and no event of the ledger is written twice: the
 * agent retries each request (accepted ones come back unchanged), a data owner approves the ones
 * that wait, and the audit timeline of every action is checked event by event.
 */
async function expectEachExactlyOnce(system: DistributedSystem, requests: RequestActionRequest[], accepted: Map<number, RequestActionResponse__Output>) {
  const agent = clientAs(system.addresses, 'agent-reporting');
  const bob = clientAs(system.addresses, 'bob');
  try {
    const ids = await Promise.all(
      requests.map(async (request, index) => {
        const reply = await requestUntilAccepted(agent, request);
        const before = accepted.get(index);
        if (before) expect(reply).toMatchObject({ actionId: before.actionId, created: false });
        return reply.actionId;
      }),
    );
    expect(new Set(ids).size).toBe(requests.length);

    await Promise.all(
      ids.map(async (actionId, index) => {
        if (requests[index]!.action === 'db.export') {
          const pending = await eventually(
            () => awaitOutcome(agent, actionId, 500),
            (r) => r.action?.status === 'AWAITING_APPROVAL',
            60_000,
          );
          expect(pending.action?.status).toBe('AWAITING_APPROVAL');
          expect(await unary(bob.decisions, 'CastVote', { actionId, decision: 'APPROVE' })).toMatchObject({ status: 'APPROVED' });
        }
        const outcome = await eventually(
          () => awaitOutcome(agent, actionId, 5000),
          (r) => r.decided,
          60_000,
        );
        expect({ actionId, status: outcome.action?.status }).toEqual({ actionId, status: 'APPROVED' });
      }),
    );

    for (const actionId of ids) {
      const timeline = await eventually(
        () => unary(bob.audit, 'GetTimeline', { actionId }),
        (t) => t.entries.some((e) => e.type === 'ExecutionGrantIssued'),
        30_000,
      );
      const count = (type: string) => timeline.entries.filter((e) => e.type === type).length;
      expect({ actionId, requested: count('ActionRequested'), evaluated: count('PolicyEvaluated'), grants: count('ExecutionGrantIssued') }).toEqual({
        actionId,
        requested: 1,
        evaluated: 1,
        grants: 1,
      });
      expect(timeline.entries.filter((e) => finalTypes.includes(e.type))).toHaveLength(1);
      expect(count('ApprovalRequested')).toBeLessThanOrEqual(1);
      expect(count('ApprovalNotified')).toBeLessThanOrEqual(1);
      expect(count('VoteCast')).toBeLessThanOrEqual(1);
      expect(timeline.entries.map((e) => e.revision)).toEqual(timeline.entries.map((_, i) => i));
    }
  } finally {
    agent.close();
    bob.close();
  }
}

/**
 * Sends `requests` all at once and, once `early` of them were accepted, runs `fault` while the
 * others (at least `inFlight`) are still unanswered. Returns the requests the system accepted.
 */
async function sendWithFault(system: DistributedSystem, requests: RequestActionRequest[], fault: () => Promise<void>) {
  const agent = clientAs(system.addresses, 'agent-reporting');
  let replies = 0;
  let unansweredAtFault = 0;
  let faulted: Promise<void> | undefined;
  const results = await Promise.allSettled(
    requests.map((request) =>
      unary(agent.intake, 'RequestAction', request, undefined, { deadline: Date.now() + 20_000 }).then((reply) => {
        replies += 1;
        if (replies === early) {
          unansweredAtFault = requests.length - replies;
          faulted = fault();
        }
        return reply;
      }),
    ),
  );
  agent.close();
  await faulted;
  expect(unansweredAtFault).toBeGreaterThanOrEqual(inFlight);
  const accepted = new Map<number, RequestActionResponse__Output>();
  results.forEach((result, index) => result.status === 'fulfilled' && accepted.set(index, result.value));
  return accepted;
}

// I6 in distributed mode: five real processes over the real broker. One of them dies (SIGKILL)
// while 200 requests are in flight and is started again; nothing is lost or written twice.
describe('distributed mode: a service dies in mid-flight', () => {
  let system: DistributedSystem;
  beforeEach(async () => {
    system = await DistributedSystem.start({ env: { APPROVALS_COMMAND_TIMEOUT_MS: '5000' } });
  });
  afterEach(async () => {
    await system?.dispose();
  });

  it.each<DistributedService>(['decision', 'policy-evaluator', 'intake'])('kill -9 the %s service with 200 requests in flight', async (service) => {
    const requests = requestsFor(early + inFlight);
    const accepted = await sendWithFault(system, requests, async () => {
      await system.service(service).kill();
      await new Promise((r) => setTimeout(r, 500));
      await system.service(service).spawn();
    });
    expect(accepted.size).toBeGreaterThanOrEqual(early);
    await expectEachExactlyOnce(system, requests, accepted);
  });
});

describe('distributed mode: the broker restarts', () => {
  let broker: KafkaBroker;
  let system: DistributedSystem | undefined;
  beforeAll(async () => {
    broker = await KafkaBroker.create();
    broker.start();
  });
  afterEach(async () => {
    await system?.dispose();
    system = undefined;
  });
  afterAll(() => {
    broker?.dispose();
  });

  it('services reconnect by themselves and every accepted request completes', async () => {
    system = await DistributedSystem.start({ brokers: broker.brokers, env: { APPROVALS_COMMAND_TIMEOUT_MS: '5000' } });
    const requests = requestsFor(early + inFlight);
    const accepted = await sendWithFault(system, requests, async () => {
      broker.stop();
      await new Promise((r) => setTimeout(r, 1000));
      broker.start();
    });
    expect(accepted.size).toBeGreaterThanOrEqual(early);
    await expectEachExactlyOnce(system, requests, accepted);
    // No service had to be restarted by anyone.
    for (const service of ['decision', 'policy-evaluator', 'intake', 'notifier', 'audit-projector'] as const) {
      expect(system.service(service).running).toBe(true);
    }
  });

  it('an outage longer than the command timeout: every service stays up, callers get UNAVAILABLE, and everything completes once after', async () => {
    const commandTimeoutMs = 3000;
    system = await DistributedSystem.start({ brokers: broker.brokers, env: { APPROVALS_COMMAND_TIMEOUT_MS: String(commandTimeoutMs) } });
    const running = system;
    const agent = clientAs(running.addresses, 'agent-reporting');
    const bob = clientAs(running.addresses, 'bob');
    const readiness = (service: DistributedService) =>
      fetch(`${running.service(service).httpUrl}/readyz`, { signal: AbortSignal.timeout(5000) }).then(async (r) => ({ status: r.status, body: (await r.json()) as Record<string, unknown> }));
    const requests = requestsFor(12);
    let waiting: RequestActionResponse__Output;
    try {
      // given an export that waits for a data owner
      waiting = await unary(agent.intake, 'RequestAction', actionRequest({ action: 'db.export', parametersJson: '{"rows":7000}' }));
      await eventually(
        () => awaitOutcome(agent, waiting.actionId, 500),
        (r) => r.action?.status === 'AWAITING_APPROVAL',
        30_000,
      );

      // when the broker goes away, and requests and a vote arrive while it is away
      broker.stop();
      const outageStarted = Date.now();
      const answers = await Promise.all([
        ...requests.map((request) => failure(unary(agent.intake, 'RequestAction', request, undefined, { deadline: Date.now() + 20_000 }))),
        failure(unary(bob.decisions, 'CastVote', { actionId: waiting.actionId, decision: 'APPROVE' }, undefined, { deadline: Date.now() + 20_000 })),
      ]);

      // then each caller is answered UNAVAILABLE (retryable) by the service itself, not by its own deadline
      expect(answers.map((a) => a.status)).toEqual(answers.map(() => 'UNAVAILABLE'));
      // the services that need the broker say they are not ready; the auditors' service has no use for it and stays ready
      for (const service of ['intake', 'notifier', 'decision', 'policy-evaluator'] as const) {
        const state = await eventually(
          () => readiness(service),
          (r) => r.status === 503,
          20_000,
        );
        expect({ service, status: state.status }).toEqual({ service, status: 503 });
      }
      expect((await readiness('audit-projector')).status).toBe(200);
      // reads that need no broker are still served
      expect((await unary(agent.intake, 'GetAction', { actionId: waiting.actionId })).status).toBe('AWAITING_APPROVAL');
      // and after four command timeouts without a broker, every process is still alive
      await new Promise((r) => setTimeout(r, Math.max(0, outageStarted + 4 * commandTimeoutMs - Date.now())));
      for (const service of distributedServices) expect({ service, running: running.service(service).running }).toEqual({ service, running: true });
    } finally {
      broker.start();
    }

    try {
      // then the services are ready again without anyone restarting them
      for (const service of distributedServices) {
        const state = await eventually(
          () => readiness(service),
          (r) => r.status === 200,
          60_000,
        );
        expect({ service, status: state.status, detail: state.body['detail'] }).toEqual({ service, status: 200, detail: undefined });
      }
      // the agent's retries with the same idempotency keys are accepted, and the new exports reach the approvers' inbox
      const accepted = new Map<number, RequestActionResponse__Output>();
      for (const [index, request] of requests.entries()) accepted.set(index, await requestUntilAccepted(agent, request));
      const exports = [...accepted].filter(([index]) => requests[index]!.action === 'db.export').map(([, reply]) => reply.actionId);
      const inbox = await eventually(
        () => unary(bob.decisions, 'ListPending', { onlyMine: true, limit: 100 }),
        (r) => exports.every((id) => r.items.some((i) => i.actionId === id)),
        60_000,
      );
      expect(inbox.items.map((i) => i.actionId)).toEqual(expect.arrayContaining(exports));
      // the vote, cast again, counts once
      const vote = await eventually(
        () => unary(bob.decisions, 'CastVote', { actionId: waiting!.actionId, decision: 'APPROVE' }),
        () => true,
        30_000,
      );
      expect(vote.status).toBe('APPROVED');
      // and every request reaches exactly one outcome, with no event written twice
      await expectEachExactlyOnce(running, requests, accepted);
      // nothing was given up on, and no fault reached a process's last-resort handler
      for (const service of distributedServices) {
        const { body } = await readiness(service);
        expect({ service, deadLetters: body['deadLetters'], unhandledFaults: body['unhandledFaults'] }).toEqual({ service, deadLetters: 0, unhandledFaults: 0 });
      }
    } finally {
      agent.close();
      bob.close();
    }
  });
});

describe('distributed mode: PostgreSQL goes away', () => {
  let proxy: TcpProxy;
  let system: DistributedSystem | undefined;
  beforeAll(async () => {
    const real = new URL(testPostgresUrl());
    proxy = await TcpProxy.start({ host: real.hostname, port: Number(real.port || 5432) });
  });
  afterAll(async () => {
    await system?.dispose();
    await proxy?.close();
  });

  it('services wait for the store, report not ready meanwhile, and every accepted request completes once', async () => {
    // given the five services reaching the ledger and the read model through a proxy
    system = await DistributedSystem.start({ postgresUrl: proxy.url(testPostgresUrl()), env: { APPROVALS_COMMAND_TIMEOUT_MS: '5000' } });
    const decision = system.service('decision');
    const readiness: number[] = [];
    const requests = requestsFor(early + inFlight);

    // when the store becomes unreachable with 200 requests in flight, for a few seconds
    const accepted = await sendWithFault(system, requests, async () => {
      proxy.cut();
      const notReady = await eventually(
        () => fetch(`${decision.httpUrl}/readyz`, { signal: AbortSignal.timeout(2000) }).then((r) => r.status),
        (status) => status === 503,
        15_000,
      );
      readiness.push(notReady);
      await new Promise((r) => setTimeout(r, 3000));
      proxy.restore();
    });

    // then the decision service said it was not ready (fail closed: "not yet", never "allowed"),
    // and once the store is back every request reaches exactly one outcome, with no event twice
    expect(readiness).toEqual([503]);
    expect(accepted.size).toBeGreaterThanOrEqual(early);
    await expectEachExactlyOnce(system, requests, accepted);
    // nobody restarted anything, and no message was given up on
    for (const service of ['decision', 'policy-evaluator', 'intake', 'notifier', 'audit-projector'] as const) {
      expect(system.service(service).running).toBe(true);
      const ready = (await (await fetch(`${system.service(service).httpUrl}/readyz`)).json()) as { deadLetters: number; detail?: string };
      expect({ service, deadLetters: ready.deadLetters, detail: ready.detail }).toEqual({ service, deadLetters: 0, detail: undefined });
    }
  });
});

describe('distributed mode: a poison message', () => {
  let system: DistributedSystem;
  const kafka = new Kafka({ clientId: 'approvals-e2e', brokers: (process.env['KAFKA_BROKERS'] ?? '').split(','), logLevel: logLevel.NOTHING });
  beforeAll(async () => {
    system = await DistributedSystem.start();
  });
  afterAll(async () => {
    await system?.dispose();
  });

  it('lands in the dead-letter topic with the error and does not block its partition', async () => {
    const agent = clientAs(system.addresses, 'agent-reporting');
    const bob = clientAs(system.addresses, 'bob');
    const producer = kafka.producer();
    const consumer = kafka.consumer({ groupId: `e2e-dead-letters-${randomUUID()}` });
    try {
      // given a request the agent is about to make (its action id, and so its partition, is known)
      const request = actionRequest({ action: 'db.export', parametersJson: '{"rows":5000}' });
      const actionId = actionIdFor('agent-reporting', request.idempotencyKey!);

      // when undecodable bytes arrive first on the ledger-events topic, keyed like that action
      await producer.connect();
      const topic = `${system.namespace}.${Topics.ledgerEvents}`;
      await producer.send({ topic, acks: -1, messages: [{ key: actionId, value: Buffer.from([0xff, 0x00, 0x7b, 0x22]) }] });

      // then every consumer of that topic dead-letters it, with the error and the payload
      await consumer.connect();
      await consumer.subscribe({ topic: `${system.namespace}.${Topics.deadLetters}`, fromBeginning: true });
      const letters: unknown[] = [];
      await consumer.run({ eachMessage: async ({ message }) => void letters.push(JSON.parse(message.value!.toString())) });
      const subscribers = ['approvals.intake', 'approvals.notifier', 'approvals.policy-evaluator'];
      const deadline = Date.now() + 30_000;
      while (letters.length < subscribers.length && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
      const parsed = letters.map((l) => deadLetterSchema.parse(l));
      // (the intake reads in a group of its own per instance: approvals.intake.<instance>)
      expect(parsed.map((l) => l.group.replace(`${system.namespace}.`, '').replace(/^(approvals\.intake)\..*$/, '$1')).sort()).toEqual(subscribers);
      for (const letter of parsed) {
        expect(letter).toMatchObject({ topic: Topics.ledgerEvents, key: actionId, attempts: 1, payloadEncoding: 'base64' });
        expect(letter.error).toMatch(/not JSON/);
        expect(Buffer.from(letter.payload, 'base64')).toEqual(Buffer.from([0xff, 0x00, 0x7b, 0x22]));
      }

      // and the partition moves on: that action's messages, behind the poison, are all handled
      // (the policy evaluator evaluated it, the notifier put it in the data owners' inbox)
      const created = await unary(agent.intake, 'RequestAction', request);
      expect(created.actionId).toBe(actionId);
      const pending = await eventually(
        () => awaitOutcome(agent, actionId, 500),
        (r) => r.action?.status === 'AWAITING_APPROVAL',
      );
      expect(pending.action?.status).toBe('AWAITING_APPROVAL');
      const inbox = await eventually(
        () => unary(bob.decisions, 'ListPending', { onlyMine: true, limit: 100 }),
        (r) => r.items.some((i) => i.actionId === actionId),
      );
      expect(inbox.items.map((i) => i.actionId)).toContain(actionId);
      // and operators see it on /readyz
      const health = await (await fetch(`${system.service('notifier').httpUrl}/readyz`)).json();
      expect(health).toMatchObject({ status: 'ready', deadLetters: 1 });
    } finally {
      agent.close();
      bob.close();
      await consumer.disconnect();
      await producer.disconnect();
    }
  });
});

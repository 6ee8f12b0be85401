import { randomUUID } from 'node:crypto';
import { cpSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type * as grpc from '@grpc/grpc-js';
import { EmbeddedServer, demoKey, freePort, repoRoot } from '@approvals/testing';
import { Approvals } from './approvals';
import { ApprovalsError } from './errors';
import { fetchGrantKeys } from './grants';
import type { ApprovedAction } from './guard';
import { requestHashOf } from './request-hash';
import { connectServices } from './transport';
import type { ActionRequest, ActionView } from './types';


jest.setTimeout(60_000);

// The SDK against the real embedded server over a gRPC socket: every typed outcome of `guard`,
// and that `run` is never called without a redeemed grant.
describe('@approvals/sdk against the real service', () => {
  let server: EmbeddedServer;
  let agent: Approvals;

  beforeAll(async () => {
    server = await EmbeddedServer.start();
    agent = new Approvals({ address: server.grpcAddress, apiKey: demoKey('agent-reporting') });
  });
  afterAll(async () => {
    agent?.close();
    await server?.dispose();
  });

  const read = (parameters: Record<string, unknown> = { table: `t-${randomUUID()}` }): ActionRequest => ({
    model: 'gpt-test',
    action: 'db.read',
    resource: { kind: 'dataset', id: 'customers' },
    environment: 'prod',
    parameters,
    justification: 'SDK test',
  });
  const bigExport = (): ActionRequest => ({ ...read({ rowCount: 5000, nonce: randomUUID() }), action: 'db.export', justification: 'quarterly numbers' });

  /** Votes as a human over the decision service (what the CLI and the console do). */
  async function vote(approver: string, actionId: string, decision: 'APPROVE' | 'DENY', comment = '') {
    const services = connectServices({ address: server.grpcAddress, apiKey: demoKey(approver) });
    try {
      const castVote = (services.decisions as unknown as Record<string, (r: object, cb: grpc.requestCallback<{ accepted: boolean; rejectionReason: string }>) => void>)['CastVote']!;
      const answer = await new Promise<{ accepted: boolean; rejectionReason: string }>((resolve, reject) =>
        castVote.call(services.decisions, { actionId, decision, comment }, (error, response) => (error ? reject(error) : resolve(response!))),
      );
      expect(answer).toMatchObject({ accepted: true });
    } finally {
      services.close();
    }
  }

  /** Runs `guard` with a `run` that records what it was given. */
  async function guarded(request: ActionRequest, options: Parameters<Approvals['guard']>[2] = {}, client = agent) {
    const runs: ApprovedAction[] = [];
    const outcome = await client.guard(request, async (approved) => {
      runs.push(approved);
      return `ran ${approved.actionId}`;
    }, options);
    return { outcome, runs };
  }

  it('runs an auto-allowed action once, with the approved parameters and a redeemed grant, and reports it', async () => {
    const request = read();
    const updates: string[] = [];
    const { outcome, runs } = await guarded(request, { onUpdate: (view) => updates.push(view.status), describe: (value) => String(value) });

    expect(outcome).toMatchObject({ outcome: 'executed', reported: true, action: { status: 'APPROVED', execution: { status: 'SUCCEEDED' } } });
    expect(runs).toHaveLength(1);
    expect(runs[0]!.parameters).toEqual(request.parameters);
    const view = await agent.getAction(runs[0]!.actionId);
    expect(view.grant?.redeemedAt).not.toBe('');
    expect(view.execution).toMatchObject({ status: 'SUCCEEDED', detail: `ran ${runs[0]!.actionId}`, grantId: runs[0]!.grantId });
    expect(updates.at(-1)).toBe('APPROVED');
  });

  it('returns the policy’s reasons for a denied action and never runs it', async () => {
    const ops = new Approvals({ address: server.grpcAddress, apiKey: demoKey('agent-ops') });
    const { outcome, runs } = await guarded({ ...read(), action: 'infra.delete', resource: { kind: 'cluster', id: 'prod-eu' } }, {}, ops).finally(() => ops.close());
    expect(outcome).toMatchObject({ outcome: 'denied', deniedBy: 'policy', reasons: ['agents may never delete infrastructure in prod'] });
    expect(runs).toEqual([]);
  });

  it('waits for an approver, reports progress, then runs; an approver’s denial returns their comment', async () => {
    const progress: ActionView[] = [];
    const approving = guarded(bigExport(), { onUpdate: (view) => progress.push(view) });
    const pending = await eventually(() => progress.find((v) => v.status === 'AWAITING_APPROVAL'));
    expect(pending.approval?.steps).toEqual([{ group: 'data-owners', minApprovals: 1 }]);
    await vote('alice', pending.actionId, 'APPROVE');
    const approved = await approving;
    expect(approved.outcome).toMatchObject({ outcome: 'executed', action: { approvedVia: 'APPROVERS' } });
    expect(approved.runs.map((r) => r.actionId)).toEqual([pending.actionId]);

    const denials: ActionView[] = [];
    const denying = guarded(bigExport(), { onUpdate: (view) => denials.push(view) });
    const waiting = await eventually(() => denials.find((v) => v.status === 'AWAITING_APPROVAL'));
    await vote('bob', waiting.actionId, 'DENY', 'not this quarter');
    expect(await denying).toEqual({ outcome: { outcome: 'denied', deniedBy: 'approvers', reasons: ['bob: not this quarter'], action: expect.anything() }, runs: [] });
  });

  it('cancels the action when the caller aborts or its time limit passes, and when it is withdrawn elsewhere', async () => {
    const controller = new AbortController();
    const progress: ActionView[] = [];
    const aborted = guarded(bigExport(), { signal: controller.signal, onUpdate: (view) => progress.push(view) });
    await eventually(() => progress.find((v) => v.status === 'AWAITING_APPROVAL'));
    controller.abort();
    expect(await aborted).toMatchObject({ outcome: { outcome: 'cancelled', by: 'caller', action: { status: 'CANCELLED' } }, runs: [] });

    expect(await guarded(bigExport(), { timeoutMs: 500 })).toMatchObject({ outcome: { outcome: 'cancelled', by: 'caller', action: { status: 'CANCELLED' } }, runs: [] });

    const seen: ActionView[] = [];
    const withdrawn = guarded(bigExport(), { onUpdate: (view) => seen.push(view) });
    const waiting = await eventually(() => seen.find((v) => v.status === 'AWAITING_APPROVAL'));
    await agent.cancel(waiting.actionId, 'changed my mind');
    expect(await withdrawn).toMatchObject({ outcome: { outcome: 'cancelled', by: 'elsewhere' }, runs: [] });
  });

  it('never runs without redeeming: a replayed grant, a grant that fails the offline check, a request that is not the approved one', async () => {
    const request = { ...read(), idempotencyKey: `sdk-${randomUUID()}` };
    expect((await guarded(request)).outcome.outcome).toBe('executed');
    // The same key returns the same, already redeemed action: its grant is not usable again.
    expect(await guarded(request)).toMatchObject({ outcome: { outcome: 'grant-refused', reason: 'REPLAYED' }, runs: [] });

    // Offline check against keys the service did not sign with: refused before redeeming.
    const foreign = { keys: [{ kty: 'OKP', crv: 'Ed25519', x: '11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo', kid: 'foreign' }] };
    const forged = await guarded(read(), { jwks: foreign });
    expect(forged).toMatchObject({ outcome: { outcome: 'grant-refused', reason: 'INVALID_SIGNATURE' }, runs: [] });
    expect((await agent.getAction(forged.outcome.action.actionId)).grant?.redeemedAt).toBe('');
    // With the published keys it verifies and runs.
    const jwks = await fetchGrantKeys(`${server.httpUrl}/.well-known/jwks.json`);
    expect((await guarded(read(), { jwks })).outcome.outcome).toBe('executed');

    // The same idempotency key with other parameters is refused by the service, before anything runs.
    const changed = { ...request, parameters: { table: 'everything' } };
    await expect(guarded(changed)).rejects.toMatchObject({ name: 'ApprovalsError', code: 'ALREADY_EXISTS' });
  });

  it('reports FAILED and rethrows when the run throws; typed errors name every bad field', async () => {
    let actionId = '';
    await expect(
      agent.guard(read(), (approved) => {
        actionId = approved.actionId;
        throw new Error('disk full');
      }),
    ).rejects.toThrow('disk full');
    expect((await agent.getAction(actionId)).execution).toMatchObject({ status: 'FAILED', detail: 'disk full' });

    const refused = await agent.requestAction({ ...read(), action: 'Drop Table', environment: 'PROD' }).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(ApprovalsError);
    expect((refused as ApprovalsError).code).toBe('INVALID_ARGUMENT');
    expect((refused as ApprovalsError).violations.map((v) => v.field).sort()).toEqual(['action', 'environment']);
    expect((refused as ApprovalsError).retryable).toBe(false);
  });

  it('computes the same request hash the service records', async () => {
    const request = { ...read({ b: [1, 2.5, { z: null, a: 'é' }], a: 1e21 }), justification: '  padded  ', idempotencyKey: `sdk-${randomUUID()}`, runId: '' };
    const created = await agent.requestAction(request);
    const view = await agent.getAction(created.actionId);
    expect(requestHashOf('agent-reporting', request)).toBe(view.requestHash);
  });

  it('awaitDecision returns undecided after its timeout, and an abort ends it at once', async () => {
    const { actionId } = await agent.requestAction(bigExport());
    const started = Date.now();
    expect(await agent.awaitDecision(actionId, { timeoutMs: 300 })).toMatchObject({ decided: false, action: { status: 'AWAITING_APPROVAL' } });
    expect(Date.now() - started).toBeLessThan(5_000);
    const controller = new AbortController();
    const waiting = agent.awaitDecision(actionId, { signal: controller.signal });
    setTimeout(() => controller.abort(new Error('stop')), 100);
    await expect(waiting).rejects.toThrow('stop');
    await agent.cancel(actionId, 'done testing');
    expect(await agent.awaitDecision(actionId)).toMatchObject({ decided: true, action: { status: 'CANCELLED' } });
  });
});

describe('@approvals/sdk when nobody decides in time', () => {
  it('returns expired, and never runs', async () => {
    // The demo policies with a two-second approval window.
    const policyDir = mkdtempSync(join(tmpdir(), 'sdk-policies-'));
    cpSync(join(repoRoot(), 'policies', 'demo'), policyDir, { recursive: true });
    for (const file of readdirSync(policyDir).filter((f) => f.endsWith('.cedar'))) {
      writeFileSync(join(policyDir, file), readFileSync(join(policyDir, file), 'utf8').replace(/@ttl\("\d+"\)/g, '@ttl("2")'));
    }
    const server = await EmbeddedServer.start({ env: { APPROVALS_POLICY_DIR: policyDir } });
    const client = new Approvals({ address: server.grpcAddress, apiKey: demoKey('agent-reporting') });
    try {
      let ran = false;
      const request = { model: 'gpt-test', action: 'db.export', resource: { kind: 'dataset', id: 'c' }, environment: 'prod', justification: 'expiry', parameters: { rowCount: 5000 } };
      const outcome = await client.guard(request, () => (ran = true));
      expect(outcome).toMatchObject({ outcome: 'expired', action: { status: 'EXPIRED' } });
      expect(ran).toBe(false);
    } finally {
      client.close();
      await server.dispose();
      rmSync(policyDir, { recursive: true, force: true });
    }
  });
});

describe('@approvals/sdk while the service is down', () => {
  it('retries a request with the same idempotency key until the service is back: one action, not two', async () => {
    const [grpcPort] = [await freePort()];
    const dataDir = mkdtempSync(join(tmpdir(), 'sdk-retry-'));
    const client = new Approvals({ address: `127.0.0.1:${grpcPort}`, apiKey: demoKey('agent-reporting'), retry: { attempts: 60, maxDelayMs: 500 } });
    let server: EmbeddedServer | undefined;
    try {
      const request = { model: 'gpt-test', action: 'db.read', resource: { kind: 'dataset', id: 'c' }, environment: 'dev', justification: 'retry test', parameters: { n: 1 } };
      const outcome = client.guard(request, () => 'done');
      // The service starts only after the SDK has been refused a few times.
      await new Promise((resolve) => setTimeout(resolve, 1_000));
      server = await EmbeddedServer.start({ dataDir, env: { APPROVALS_GRPC_PORT: String(grpcPort) } });
      const result = await outcome;
      expect(result).toMatchObject({ outcome: 'executed', value: 'done' });
      const again = await client.requestAction({ ...request, idempotencyKey: result.action.idempotencyKey });
      expect(again).toMatchObject({ actionId: result.action.actionId, created: false });
    } finally {
      client.close();
      await server?.dispose();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});

/** Polls `probe` until it returns a value (bounded). */
async function eventually<T>(probe: () => T | undefined, timeoutMs = 15_000): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value !== undefined) return value;
    if (Date.now() > until) throw new Error('timed out waiting');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}


import { randomUUID } from 'node:crypto';
import type { ApprovalsClient } from '@approvals/client';
import { GrantKeyRing } from '@approvals/grants';
import type { RequestActionRequest } from '@approvals/contracts';
import { fetchGrantKeys, requestHashOf as sdkRequestHashOf, verifyGrant } from '@approvals/sdk';
import { unary } from '@approvals/client';
import type { TestSystem } from '@approvals/testing';
import { modes, startSystem } from '@approvals/testing';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { actionRequest, awaitOutcome, clientAs, eventually, failure } from './support';

jest.setTimeout(60_000);

/** The SDK's hash of a request as sent over the wire (what an executor computes before redeeming). */
const requestHashOf = (agentId: string, r: RequestActionRequest) =>
  sdkRequestHashOf(agentId, {
    model: r.model ?? '',
    onBehalfOf: r.onBehalfOf,
    action: r.action ?? '',
    resource: { kind: r.resource?.kind ?? '', id: r.resource?.id ?? '' },
    environment: r.environment ?? '',
    dataClassification: r.dataClassification,
    parameters: JSON.parse(r.parametersJson ?? '{}') as Record<string, unknown>,
    justification: r.justification ?? '',
    idempotencyKey: r.idempotencyKey ?? '',
    runId: r.runId,
  });

// Execution grants (I5) as an executor meets them, in both modes: verify offline against the
// published keys, redeem online once; every misuse refused with a reason and recorded.
describe.each(modes)('%s mode: execution grants', (mode) => {
  let server: TestSystem;
  let agent: ApprovalsClient;
  let ops: ApprovalsClient;
  let alice: ApprovalsClient;

  beforeAll(async () => {
    server = await startSystem(mode);
    agent = clientAs(server.addresses, 'agent-reporting');
    ops = clientAs(server.addresses, 'agent-ops');
    alice = clientAs(server.addresses, 'alice');
  });

  afterAll(async () => {
    for (const client of [agent, ops, alice]) client?.close();
    await server?.dispose();
  });

  /** An auto-allowed read, with its grant, the request as sent and its hash. */
  async function approvedRead() {
    const request = actionRequest({ action: 'db.read', parametersJson: JSON.stringify({ table: `t-${randomUUID()}` }) });
    const created = await unary(agent.intake, 'RequestAction', request);
    const outcome = await awaitOutcome(agent, created.actionId);
    expect(outcome.action?.status).toBe('APPROVED');
    return { request, actionId: created.actionId, token: outcome.action!.grant!.token, requestHash: outcome.action!.requestHash };
  }

  const rejections = async (actionId: string, count: number) => {
    const timeline = await eventually(
      () => unary(alice.audit, 'GetTimeline', { actionId }),
      (t) => t.entries.filter((e) => e.type === 'GrantRedemptionRejected').length >= count,
    );
    return timeline.entries.filter((e) => e.type === 'GrantRedemptionRejected').map((e) => JSON.parse(e.dataJson).reason as string);
  };

  it('publishes its keys; an executor verifies the grant offline, redeems it once, and a replay is refused and recorded', async () => {
    const { request, actionId, token, requestHash } = await approvedRead();
    expect(requestHashOf('agent-reporting', request)).toBe(requestHash);

    const jwks = await fetchGrantKeys(`${server.decisionHttpUrl}/.well-known/jwks.json`);
    expect(jwks.keys.length).toBeGreaterThan(0);
    expect(jwks.keys.every((key) => key.kid && !('d' in key))).toBe(true);
    await expect(verifyGrant(token, { jwks, agentId: 'agent-reporting', requestHash })).resolves.toMatchObject({ actionId });

    expect(await unary(agent.intake, 'RedeemGrant', { token, requestHash })).toEqual({ redeemed: true, rejectionReason: '', detail: '', actionId });
    expect((await unary(agent.intake, 'GetAction', { actionId })).grant?.redeemedAt).not.toBe('');

    const replay = await unary(agent.intake, 'RedeemGrant', { token, requestHash });
    expect(replay).toMatchObject({ redeemed: false, rejectionReason: 'REPLAYED' });
    expect(await rejections(actionId, 1)).toEqual(['REPLAYED']);
    // Reporting how the redeemed grant went is still the same single use.
    const grantId = (await unary(agent.intake, 'GetAction', { actionId })).grant!.grantId;
    expect(await unary(agent.intake, 'ReportExecution', { actionId, grantId, status: 'SUCCEEDED', detail: 'read 10 rows' })).toMatchObject({
      execution: { status: 'SUCCEEDED' },
    });
  });

  it('refuses and records a grant for changed parameters, and one presented by another agent', async () => {
    const { request, actionId, token } = await approvedRead();
    const changed = requestHashOf('agent-reporting', { ...request, parametersJson: JSON.stringify({ table: 'everything' }) });

    expect(await unary(agent.intake, 'RedeemGrant', { token, requestHash: changed })).toMatchObject({ redeemed: false, rejectionReason: 'PARAMETERS_MISMATCH' });
    expect(await unary(ops.intake, 'RedeemGrant', { token, requestHash: requestHashOf('agent-reporting', request) })).toMatchObject({
      redeemed: false,
      rejectionReason: 'WRONG_AGENT',
    });
    expect((await rejections(actionId, 2)).sort()).toEqual(['PARAMETERS_MISMATCH', 'WRONG_AGENT']);
    // Neither attempt used the grant up.
    expect(await unary(agent.intake, 'RedeemGrant', { token, requestHash: requestHashOf('agent-reporting', request) })).toMatchObject({ redeemed: true });
  });

  it('voids the grant when the agent cancels the approved action before using it: the outcome stays, the grant is refused', async () => {
    const { actionId, token, requestHash } = await approvedRead();
    const cancelled = await unary(agent.intake, 'CancelAction', { actionId, reason: 'the report was dropped' });
    expect(cancelled.status).toBe('APPROVED');
    expect(cancelled.grant?.revokedAt).not.toBe('');

    expect(await unary(agent.intake, 'RedeemGrant', { token, requestHash })).toMatchObject({ redeemed: false, rejectionReason: 'REVOKED' });
    expect(await rejections(actionId, 1)).toEqual(['REVOKED']);
  });

  it('refuses a grant signed by a key it did not issue, records it against the agent’s action, and answers malformed calls precisely', async () => {
    const { actionId, requestHash } = await approvedRead();
    const dir = mkdtempSync(join(tmpdir(), 'foreign-keys-'));
    try {
      const foreign = await GrantKeyRing.open({ keyFile: join(dir, 'k.json'), generateIfMissing: true, issuer: 'approvals', audience: 'approvals-executor', ttlSeconds: 300 });
      const { token } = await foreign.issue({ grantId: randomUUID(), actionId, agentId: 'agent-reporting', requestHash, issuedAt: new Date() });
      const forged = await failure(unary(agent.intake, 'RedeemGrant', { token, requestHash }));
      expect(forged.status).toBe('PERMISSION_DENIED');
      expect(forged.details).toContain('unknown kid');
      expect(await rejections(actionId, 1)).toEqual(['INVALID_SIGNATURE']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }

    expect(await failure(unary(agent.intake, 'RedeemGrant', { token: '', requestHash }))).toMatchObject({ status: 'INVALID_ARGUMENT', violations: [{ field: 'token' }] });
    expect(await failure(unary(agent.intake, 'RedeemGrant', { token: 'a.b.c', requestHash: 'nope' }))).toMatchObject({
      status: 'INVALID_ARGUMENT',
      violations: [{ field: 'request_hash' }],
    });
    expect((await failure(unary(agent.intake, 'RedeemGrant', { token: 'eyJhbGciOiJub25lIn0.e30.', requestHash }))).status).toBe('INVALID_ARGUMENT');
  });
});

describe.each(modes)('%s mode: an expired grant', (mode) => {
  let server: TestSystem;
  let agent: ApprovalsClient;
  let alice: ApprovalsClient;

  beforeAll(async () => {
    server = await startSystem(mode, { env: { APPROVALS_GRANT_TTL_SECONDS: '2' } });
    agent = clientAs(server.addresses, 'agent-reporting');
    alice = clientAs(server.addresses, 'alice');
  });

  afterAll(async () => {
    agent?.close();
    alice?.close();
    await server?.dispose();
  });

  it('is refused after it expires, and the refusal is recorded', async () => {
    const created = await unary(agent.intake, 'RequestAction', actionRequest({ action: 'db.read' }));
    const { action } = await awaitOutcome(agent, created.actionId);
    const expiresAt = Date.parse(action!.grant!.expiresAt);
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, expiresAt - Date.now()) + 1100));

    const late = await unary(agent.intake, 'RedeemGrant', { token: action!.grant!.token, requestHash: action!.requestHash });
    expect(late).toMatchObject({ redeemed: false, rejectionReason: 'EXPIRED' });
    const timeline = await eventually(
      () => unary(alice.audit, 'GetTimeline', { actionId: created.actionId }),
      (t) => t.entries.some((e) => e.type === 'GrantRedemptionRejected'),
    );
    expect(timeline.entries.find((e) => e.type === 'GrantRedemptionRejected')?.dataJson).toContain('EXPIRED');
  });
});

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SignJWT, UnsecuredJWT, exportJWK, generateKeyPair } from 'jose';
import type { ApprovalsClient } from '@approvals/client';
import { createApprovalsClient, unary } from '@approvals/client';
import type { TestSystem } from '@approvals/testing';
import { modes, startSystem } from '@approvals/testing';
import { actionRequest, awaitOutcome, demoKey, eventually, failure, ledgerPosition } from './support';

jest.setTimeout(60_000);

const issuer = 'https://idp.approvals.test';
const audience = 'approvals-api';

// The security suite, part one: callers authenticate with bearer JWTs of a configured issuer
// (RFC 8725), and every attack gets a precise error and changes nothing in the ledger, in both
// modes. The IdP is a key pair made here; its public key is the JWKS file the system trusts.
describe.each(modes)('%s mode: authentication and who may act', (mode) => {
  let server: TestSystem;
  let dir: string;
  let idpKey: Parameters<SignJWT['sign']>[0];
  const clients: ApprovalsClient[] = [];

  const mint = (sub: string, build: (jwt: SignJWT) => SignJWT = (jwt) => jwt.setExpirationTime('10m'), key = idpKey) =>
    build(new SignJWT({}).setProtectedHeader({ alg: 'EdDSA', kid: 'idp-1', typ: 'JWT' }).setIssuer(issuer).setAudience(audience).setSubject(sub).setIssuedAt()).sign(key);

  const clientWith = (options: { bearerToken?: string; apiKey?: string }) => {
    const client = createApprovalsClient({ address: server.addresses, deadlineMs: 20_000, ...options });
    clients.push(client);
    return client;
  };
  const as = async (sub: string) => clientWith({ bearerToken: await mint(sub) });

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'approvals-idp-'));
    const { privateKey, publicKey } = await generateKeyPair('EdDSA', { crv: 'Ed25519' });
    idpKey = privateKey;
    writeFileSync(join(dir, 'jwks.json'), JSON.stringify({ keys: [{ ...(await exportJWK(publicKey)), kid: 'idp-1', alg: 'EdDSA', use: 'sig' }] }));
    server = await startSystem(mode, {
      env: { APPROVALS_AUTH: 'jwt', APPROVALS_JWT_ISSUER: issuer, APPROVALS_JWT_AUDIENCE: audience, APPROVALS_JWT_JWKS_FILE: join(dir, 'jwks.json') },
    });
  });

  afterAll(async () => {
    for (const client of clients) client.close();
    await server?.dispose();
    rmSync(dir, { recursive: true, force: true });
  });

  it('serves an agent and an approver who present valid tokens, end to end', async () => {
    const agent = await as('agent-reporting');
    const created = await unary(agent.intake, 'RequestAction', actionRequest({ action: 'db.export', parametersJson: '{"rows":5000}' }));
    await awaitOutcome(agent, created.actionId, 300);
    const alice = await as('alice');
    expect(await unary(alice.decisions, 'CastVote', { actionId: created.actionId, decision: 'APPROVE' })).toMatchObject({ accepted: true, status: 'APPROVED' });

    // A vote after the outcome changes nothing, and is recorded (I3).
    const bob = await as('bob');
    expect(await unary(bob.decisions, 'CastVote', { actionId: created.actionId, decision: 'DENY', comment: 'too late' })).toMatchObject({
      accepted: false,
      rejectionReason: 'ALREADY_DECIDED',
      status: 'APPROVED',
    });
    const timeline = await eventually(
      () => unary(bob.audit, 'GetTimeline', { actionId: created.actionId }),
      (t) => t.entries.some((e) => e.type === 'VoteRejected'),
    );
    expect(timeline.entries.find((e) => e.type === 'VoteRejected')?.dataJson).toContain('ALREADY_DECIDED');
  });

  it.each<[string, () => Promise<{ bearerToken?: string; apiKey?: string }>, RegExp]>([
    ['no credentials at all', async () => ({}), /missing credentials/],
    ['an expired token', async () => ({ bearerToken: await mint('agent-reporting', (jwt) => jwt.setExpirationTime(Math.floor(Date.now() / 1000) - 600)) }), /expired/],
    [
      'an alg "none" token',
      async () => ({ bearerToken: new UnsecuredJWT({}).setIssuer(issuer).setAudience(audience).setSubject('agent-reporting').setExpirationTime('10m').encode() }),
      /not valid|algorithm/,
    ],
    ['a token signed by another key', async () => ({ bearerToken: await mint('agent-reporting', undefined, (await generateKeyPair('EdDSA', { crv: 'Ed25519' })).privateKey) }), /signature/],
    ['a token of another issuer', async () => ({ bearerToken: await mint('agent-reporting', (jwt) => jwt.setIssuer('https://evil.test').setExpirationTime('10m')) }), /iss/],
    ['a token for another audience', async () => ({ bearerToken: await mint('agent-reporting', (jwt) => jwt.setAudience('elsewhere').setExpirationTime('10m')) }), /aud/],
    ['a token for nobody the directory knows', async () => ({ bearerToken: await mint('agent-ghost') }), /neither an agent nor a person/],
    ['a demo API key, which this deployment does not accept', async () => ({ apiKey: demoKey('agent-reporting') }), /API keys are not accepted/],
  ])('refuses %s with UNAUTHENTICATED and records nothing', async (_name, credentials, message) => {
    const client = clientWith(await credentials());
    const before = await ledgerPosition(server.decisionHttpUrl);
    const refused = await failure(unary(client.intake, 'RequestAction', actionRequest({ action: 'db.read' })));
    expect(refused.status).toBe('UNAUTHENTICATED');
    expect(refused.details).toMatch(message);
    expect(await ledgerPosition(server.decisionHttpUrl)).toBe(before);
  });

  it('never lets one agent see, cancel or use another agent’s action', async () => {
    const owner = await as('agent-reporting');
    const created = await unary(owner.intake, 'RequestAction', actionRequest({ action: 'db.export', parametersJson: '{"rows":7000}' }));
    await awaitOutcome(owner, created.actionId, 300);
    const intruder = await as('agent-ops');
    const before = await ledgerPosition(server.decisionHttpUrl);
    for (const call of [
      unary(intruder.intake, 'GetAction', { actionId: created.actionId }),
      unary(intruder.intake, 'CancelAction', { actionId: created.actionId, reason: 'mine now' }),
      unary(intruder.intake, 'AwaitDecision', { actionId: created.actionId, timeoutMs: 100 }),
    ]) {
      expect((await failure(call)).status).toBe('NOT_FOUND');
    }
    expect(await ledgerPosition(server.decisionHttpUrl)).toBe(before);
    expect((await unary(owner.intake, 'GetAction', { actionId: created.actionId })).status).toBe('AWAITING_APPROVAL');
  });

  it('refuses the requesting agent as an approver, and records the self-approval of the human it acts for', async () => {
    const agent = await as('agent-reporting');
    const created = await unary(agent.intake, 'RequestAction', actionRequest({ action: 'db.export', parametersJson: '{"rows":9000}', onBehalfOf: 'alice' }));
    await awaitOutcome(agent, created.actionId, 300);

    const byAgent = await failure(unary(agent.decisions, 'CastVote', { actionId: created.actionId, decision: 'APPROVE' }));
    expect(byAgent).toMatchObject({ status: 'PERMISSION_DENIED' });
    expect(byAgent.details).toContain('only people may cast votes');

    const alice = await as('alice');
    expect(await unary(alice.decisions, 'CastVote', { actionId: created.actionId, decision: 'APPROVE' })).toMatchObject({
      accepted: false,
      rejectionReason: 'SELF_APPROVAL',
      status: 'AWAITING_APPROVAL',
    });
    const bob = await as('bob');
    const timeline = await eventually(
      () => unary(bob.audit, 'GetTimeline', { actionId: created.actionId }),
      (t) => t.entries.some((e) => e.type === 'VoteRejected'),
    );
    expect(timeline.entries.find((e) => e.type === 'VoteRejected')?.dataJson).toContain('SELF_APPROVAL');
  });
});

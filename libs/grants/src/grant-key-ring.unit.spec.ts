import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SignJWT, UnsecuredJWT, exportJWK, generateKeyPair } from 'jose';
import { GrantKeyFileError, GrantKeyRing, rotateGrantKeys } from './grant-key-ring';
import { GrantCheckError, requestHashOf, verifyGrant } from '@approvals/sdk';

const issuedAt = new Date('2026-01-01T00:00:00Z');
const claims = { grantId: 'grant-1', actionId: 'act-1', agentId: 'agent-reporting', requestHash: 'a'.repeat(64), issuedAt };

describe('GrantKeyRing', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'grant-keys-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const open = (file = join(dir, 'keys.json'), generateIfMissing = true, ttlSeconds = 300) =>
    GrantKeyRing.open({ keyFile: file, generateIfMissing, issuer: 'approvals', audience: 'approvals-executor', ttlSeconds });

  it('signs EdDSA grants with a kid it publishes, and verifies them back with every claim', async () => {
    const ring = await open();
    const { token, expiresAt } = await ring.issue({ ...claims, issuedAt: new Date() });
    const [header] = token.split('.');
    const { kid, alg, typ } = JSON.parse(Buffer.from(header!, 'base64url').toString()) as Record<string, string>;
    expect({ alg, typ }).toEqual({ alg: 'EdDSA', typ: 'grant+jwt' });
    expect(ring.jwks().keys.map((key) => key.kid)).toEqual([kid]);
    expect(ring.jwks().keys[0]).not.toHaveProperty('d');
    expect(expiresAt.getTime() - Date.now()).toBeLessThanOrEqual(300_000);
    expect(await ring.verify(token)).toEqual({ ok: true, grantId: 'grant-1', actionId: 'act-1', agentId: 'agent-reporting', requestHash: 'a'.repeat(64), expired: false });
  });

  it('verifies an expired grant as authentic but expired, so its use can be refused and recorded', async () => {
    const ring = await open();
    const { token } = await ring.issue(claims); // issued in 2026-01-01, five minutes of life
    expect(await ring.verify(token)).toMatchObject({ ok: true, expired: true, grantId: 'grant-1' });
  });

  it('refuses a grant signed by another key, with alg none, for another audience, or garbled, and says what it claims', async () => {
    const ring = await open();
    const other = await open(join(dir, 'other.json'));
    const foreign = (await other.issue({ ...claims, issuedAt: new Date() })).token;
    expect(await ring.verify(foreign)).toEqual({
      ok: false,
      detail: expect.stringContaining('unknown kid'),
      claimed: { grantId: 'grant-1', actionId: 'act-1' },
    });

    const none = new UnsecuredJWT({ act: 'act-1', req: 'a'.repeat(64) }).setSubject('agent-reporting').setJti('grant-1').setExpirationTime('5m').encode();
    expect(await ring.verify(none)).toMatchObject({ ok: false, claimed: { actionId: 'act-1' } });

    // Signed by a key with the ring's kid but not the ring's key material.
    const { privateKey } = await generateKeyPair('EdDSA', { crv: 'Ed25519', extractable: true });
    const kid = ring.jwks().keys[0]!.kid!;
    const forged = await new SignJWT({ act: 'act-1', req: 'a'.repeat(64) })
      .setProtectedHeader({ alg: 'EdDSA', typ: 'grant+jwt', kid })
      .setIssuer('approvals')
      .setAudience('approvals-executor')
      .setSubject('agent-reporting')
      .setJti('grant-1')
      .setExpirationTime('5m')
      .sign(privateKey);
    expect(await ring.verify(forged)).toMatchObject({ ok: false, detail: expect.stringContaining('signature does not verify') });

    const elsewhere = await GrantKeyRing.open({ keyFile: join(dir, 'keys.json'), generateIfMissing: false, issuer: 'approvals', audience: 'someone-else', ttlSeconds: 60 });
    const forElsewhere = (await elsewhere.issue({ ...claims, issuedAt: new Date() })).token;
    expect(await ring.verify(forElsewhere)).toMatchObject({ ok: false, detail: expect.stringContaining('aud') });
    expect(await ring.verify('not-a-token')).toEqual({ ok: false, detail: expect.any(String), claimed: undefined });
  });

  it('after a rotation signs with the new key and still verifies grants of the old one', async () => {
    const file = join(dir, 'keys.json');
    const before = await open(file);
    const old = (await before.issue({ ...claims, issuedAt: new Date() })).token;

    const { kid, kept } = await rotateGrantKeys(file);
    const after = await open(file);

    expect(kept).toHaveLength(2);
    expect(after.jwks().keys.map((key) => key.kid)).toEqual(kept);
    const fresh = (await after.issue({ ...claims, issuedAt: new Date() })).token;
    expect(JSON.parse(Buffer.from(fresh.split('.')[0]!, 'base64url').toString())).toMatchObject({ kid });
    expect(await after.verify(old)).toMatchObject({ ok: true, expired: false });
    for (let i = 0; i < 3; i += 1) await rotateGrantKeys(file);
    expect((JSON.parse(readFileSync(file, 'utf8')) as { keys: unknown[] }).keys).toHaveLength(3);
  });

  it('stages a key for replicas: published and verifying at once, signing only from its signFrom, never published with it', async () => {
    const file = join(dir, 'keys.json');
    const first = await open(file);
    const signFrom = new Date(Date.now() + 3_600_000);
    const { kid: staged } = await rotateGrantKeys(file, { signFrom });
    const [oldKid] = first.jwks().keys.map((key) => key.kid);
    // A replica restarted with the new file, and one that is not yet.
    const updated = await open(file);
    const kidOf = (token: string) => (JSON.parse(Buffer.from(token.split('.')[0]!, 'base64url').toString()) as { kid: string }).kid;
    const now = (await updated.issue({ ...claims, issuedAt: new Date() })).token;
    expect(kidOf(now)).toBe(oldKid);
    expect(await first.verify(now)).toMatchObject({ ok: true });
    expect(updated.jwks().keys.map((key) => key.kid)).toEqual([oldKid, staged]);
    expect(JSON.stringify(updated.jwks())).not.toContain('signFrom');
    const later = (await updated.issue({ ...claims, issuedAt: new Date(signFrom.getTime() + 1000) })).token;
    expect(kidOf(later)).toBe(staged);
    writeFileSync(join(dir, 'bad-from.json'), JSON.stringify({ keys: [{ ...JSON.parse(readFileSync(file, 'utf8')).keys[1], signFrom: 'next tuesday' }] }));
    await expect(open(join(dir, 'bad-from.json'), false)).rejects.toThrow(/signFrom that is not an ISO 8601 instant/);
  });

  it('reads the single-key file of earlier versions, and refuses a missing or malformed configured file', async () => {
    const { privateKey } = await generateKeyPair('EdDSA', { crv: 'Ed25519', extractable: true });
    const legacy = join(dir, 'legacy.json');
    writeFileSync(legacy, JSON.stringify({ ...(await exportJWK(privateKey)), kid: 'grant-old', alg: 'EdDSA', use: 'sig' }));
    expect((await open(legacy, false)).jwks().keys.map((key) => key.kid)).toEqual(['grant-old']);

    await expect(open(join(dir, 'missing.json'), false)).rejects.toThrow(GrantKeyFileError);
    writeFileSync(join(dir, 'bad.json'), '{"keys": [{"kty": "RSA"}]}');
    await expect(open(join(dir, 'bad.json'), false)).rejects.toThrow(/not a private Ed25519 JWK/);
  });
});

describe('the SDK\'s verifyGrant (for executors, offline) on grants this key ring issued', () => {
  const request = {
    model: 'gpt-test',
    onBehalfOf: '',
    action: 'db.export',
    resource: { kind: 'dataset', id: 'customers' },
    environment: 'prod',
    dataClassification: '',
    parameters: { rows: 5000 },
    justification: 'weekly report',
    idempotencyKey: 'key-1',
    runId: '',
  };

  it('accepts the grant for the agent and the exact request, and names what is wrong otherwise', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'grant-verify-'));
    try {
      const ring = await GrantKeyRing.open({ keyFile: join(dir, 'k.json'), generateIfMissing: true, issuer: 'approvals', audience: 'approvals-executor', ttlSeconds: 300 });
      const requestHash = requestHashOf('agent-reporting', request);
      const { token } = await ring.issue({ ...claims, requestHash, issuedAt: new Date() });
      const jwks = ring.jwks();

      await expect(verifyGrant(token, { jwks, agentId: 'agent-reporting', requestHash })).resolves.toMatchObject({ grantId: 'grant-1', actionId: 'act-1' });
      // Whitespace the intake trims away does not change the request; a parameter does.
      expect(requestHashOf('agent-reporting', { ...request, justification: ' weekly report ' })).toBe(requestHash);
      const changed = requestHashOf('agent-reporting', { ...request, parameters: { rows: 5001 } });
      await expect(verifyGrant(token, { jwks, agentId: 'agent-reporting', requestHash: changed })).rejects.toMatchObject({ reason: 'PARAMETERS_MISMATCH' });
      await expect(verifyGrant(token, { jwks, agentId: 'agent-ops', requestHash })).rejects.toMatchObject({ reason: 'WRONG_AGENT' });
      await expect(verifyGrant(token, { jwks, agentId: 'agent-reporting', requestHash, now: new Date(Date.now() + 301_000) })).rejects.toMatchObject({ reason: 'EXPIRED' });
      await expect(verifyGrant(token, { jwks: { keys: [] }, agentId: 'agent-reporting', requestHash })).rejects.toBeInstanceOf(GrantCheckError);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

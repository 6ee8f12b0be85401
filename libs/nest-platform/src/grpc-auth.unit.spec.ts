import { Metadata, status } from '@grpc/grpc-js';
import type { RpcException } from '@nestjs/microservices';
import type { Directory } from '@approvals/application';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SignJWT, UnsecuredJWT, exportJWK, generateKeyPair } from 'jose';
import { BearerTokenVerifier } from '@approvals/identity';
import { GrpcAuthenticator, isValidTraceparent, isValidTracestate, traceFrom } from './grpc-auth';

const traceparent = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';

function metadataWith(entries: Record<string, string>): Metadata {
  const metadata = new Metadata();
  for (const [key, value] of Object.entries(entries)) metadata.set(key, value);
  return metadata;
}

/** Only what authentication needs: the demo keys of one agent and one human, and who exists. */
const directory = {
  authenticate: (apiKey: string) =>
    ({ 'key-agent': { kind: 'agent', id: 'agent-ops' }, 'key-alice': { kind: 'human', id: 'alice' } })[apiKey] as
      | { kind: 'agent' | 'human'; id: string }
      | undefined,
  findAgent: (id: string) => (id === 'agent-ops' ? { id, owner: 'dave' } : undefined),
  findHuman: (id: string) => (id === 'alice' ? { id, name: 'Alice', groups: [] } : undefined),
} as unknown as Directory;

async function refusal(run: () => Promise<unknown>): Promise<string> {
  try {
    await run();
  } catch (error) {
    const { code, details } = (error as RpcException).getError() as { code: number; details: string };
    return `${status[code]}: ${details}`;
  }
  throw new Error('expected a refusal');
}

describe('traceFrom', () => {
  it('keeps a valid traceparent and tracestate', () => {
    const tracestate = 'rojo=00f067aa0ba902b7, congo=t61rcWkgMzE,acme@tenant=x';

    expect(traceFrom(metadataWith({ traceparent, tracestate }))).toEqual({ traceparent, tracestate });
  });

  it('is empty without metadata or trace context', () => {
    expect(traceFrom(undefined)).toEqual({});
    expect(traceFrom(new Metadata())).toEqual({});
  });

  it.each([
    ['another version', traceparent.replace(/^00/, '01')],
    ['upper-case hex', traceparent.toUpperCase()],
    ['an all-zero trace id', `00-${'0'.repeat(32)}-00f067aa0ba902b7-01`],
    ['an all-zero span id', `00-4bf92f3577b34da6a3ce929d0e0e4736-${'0'.repeat(16)}-01`],
    ['a short trace id', '00-4bf92f3577b34da6-00f067aa0ba902b7-01'],
    ['trailing data', `${traceparent}-extra`],
    ['junk', 'x'.repeat(10_000)],
  ])('ignores a traceparent with %s, and its tracestate too', (_, value) => {
    expect(isValidTraceparent(value)).toBe(false);
    expect(traceFrom(metadataWith({ traceparent: value, tracestate: 'rojo=1' }))).toEqual({});
  });

  it.each([
    ['over 512 characters', `a=${'b'.repeat(511)}`],
    ['a member without "="', 'rojo'],
    ['an upper-case key', 'Rojo=1'],
    ['a value with "="', 'rojo=a=b'],
    ['more than 32 members', Array.from({ length: 33 }, (_, i) => `k${i}=v`).join(',')],
  ])('ignores a tracestate %s but keeps the traceparent', (_, tracestate) => {
    expect(isValidTracestate(tracestate)).toBe(false);
    expect(traceFrom(metadataWith({ traceparent, tracestate }))).toEqual({ traceparent });
  });

  it('accepts empty list members and optional whitespace', () => {
    expect(isValidTracestate(' rojo=1 ,, congo=2\t')).toBe(true);
  });
});

describe('GrpcAuthenticator with demo API keys', () => {
  const auth = new GrpcAuthenticator(directory, { apiKeys: true });

  it("returns the agent's id, and the human's id", async () => {
    expect(await auth.agent(metadataWith({ 'x-api-key': 'key-agent' }))).toBe('agent-ops');
    expect(await auth.human(metadataWith({ 'x-api-key': 'key-alice' }), 'cast votes')).toBe('alice');
  });

  it('refuses a call without a key, an unknown key, and the wrong kind of caller', async () => {
    expect(await refusal(() => auth.agent(new Metadata()))).toBe('UNAUTHENTICATED: missing credentials: send your API key in the x-api-key metadata');
    expect(await refusal(() => auth.human(undefined, 'cast votes'))).toMatch(/^UNAUTHENTICATED: missing credentials/);
    expect(await refusal(() => auth.agent(metadataWith({ 'x-api-key': 'nope' })))).toBe('UNAUTHENTICATED: unknown API key');
    expect(await refusal(() => auth.agent(metadataWith({ 'x-api-key': 'key-alice' })))).toBe(
      'PERMISSION_DENIED: alice is a human, not an agent: only agents may call the intake',
    );
  });

  it.each(['cast votes', 'list pending approvals', 'read the audit trail'])('tells an agent it may not %s', async (attempt) => {
    expect(await refusal(() => auth.human(metadataWith({ 'x-api-key': 'key-agent' }), attempt))).toBe(
      `PERMISSION_DENIED: agent-ops is an agent, not a person: only people may ${attempt}`,
    );
  });

  it('names the decision and audit services when the caller does not say what was tried', async () => {
    expect(await refusal(() => auth.human(metadataWith({ 'x-api-key': 'key-agent' })))).toBe(
      'PERMISSION_DENIED: agent-ops is an agent, not a person: only people may use the decision and audit services',
    );
  });

  it('refuses bearer tokens when none are configured', async () => {
    expect(await refusal(() => auth.agent(metadataWith({ authorization: 'Bearer a.b.c' })))).toMatch(/^UNAUTHENTICATED: bearer tokens are not accepted here/);
  });
});

describe('GrpcAuthenticator with bearer JWTs (RFC 8725)', () => {
  let dir: string;
  let issuerKey: Parameters<SignJWT["sign"]>[0];
  let auth: GrpcAuthenticator;
  const issuer = 'https://idp.example.test';
  const audience = 'approvals';

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'jwt-auth-'));
    const { privateKey, publicKey } = await generateKeyPair('EdDSA', { crv: 'Ed25519', extractable: true });
    issuerKey = privateKey;
    writeFileSync(join(dir, 'jwks.json'), JSON.stringify({ keys: [{ ...(await exportJWK(publicKey)), kid: 'idp-1', alg: 'EdDSA' }] }));
    const bearer = BearerTokenVerifier.open({ issuer, audience, algorithms: ['EdDSA'], clockSkewSeconds: 60, jwksFile: join(dir, 'jwks.json') });
    auth = new GrpcAuthenticator(directory, { apiKeys: false, bearer });
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const token = (sub: string, build: (jwt: SignJWT) => SignJWT = (jwt) => jwt.setExpirationTime('5m'), key: Parameters<SignJWT["sign"]>[0] = issuerKey) =>
    build(new SignJWT({}).setProtectedHeader({ alg: 'EdDSA', kid: 'idp-1' }).setIssuer(issuer).setAudience(audience).setSubject(sub).setIssuedAt()).sign(key);
  const bearer = (jwt: string) => metadataWith({ authorization: `Bearer ${jwt}` });

  it('takes the identity from the verified subject: an agent or a person of the directory', async () => {
    expect(await auth.agent(bearer(await token('agent-ops')))).toBe('agent-ops');
    expect(await auth.human(bearer(await token('alice')))).toBe('alice');
    // Expired 30 s ago: within the 60 s of clock skew allowed.
    expect(await auth.agent(bearer(await token('agent-ops', (jwt) => jwt.setExpirationTime(Math.floor(Date.now() / 1000) - 30))))).toBe('agent-ops');
  });

  it.each<[string, () => Promise<string>, RegExp]>([
    ['an expired token', () => token('agent-ops', (jwt) => jwt.setExpirationTime(Math.floor(Date.now() / 1000) - 120)), /has expired/],
    ['a token without exp', () => token('agent-ops', (jwt) => jwt), /exp/],
    ['alg none', async () => new UnsecuredJWT({}).setIssuer(issuer).setAudience(audience).setSubject('agent-ops').setExpirationTime('5m').encode(), /not valid|algorithm/],
    ['another issuer', () => token('agent-ops', (jwt) => jwt.setIssuer('https://evil.example').setExpirationTime('5m')), /iss/],
    ['another audience', () => token('agent-ops', (jwt) => jwt.setAudience('someone-else').setExpirationTime('5m')), /aud/],
    [
      'a token signed by another key',
      async () => token('agent-ops', undefined, (await generateKeyPair("EdDSA", { crv: "Ed25519" })).privateKey),
      /signature does not verify/,
    ],
    ['a subject the directory does not know', () => token('agent-ghost'), /neither an agent nor a person/],
  ])('refuses %s as UNAUTHENTICATED', async (_name, make, message) => {
    const refused = await refusal(async () => auth.agent(bearer(await make())));
    expect(refused).toMatch(/^UNAUTHENTICATED: /);
    expect(refused).toMatch(message);
  });

  it('refuses an HMAC token signed with the public key as secret (algorithm confusion)', async () => {
    const forged = await new SignJWT({}).setProtectedHeader({ alg: 'HS256', kid: 'idp-1' }).setIssuer(issuer).setAudience(audience).setSubject('agent-ops').setExpirationTime('5m').sign(new TextEncoder().encode('public-key-as-secret'));
    expect(await refusal(() => auth.agent(bearer(forged)))).toMatch(/^UNAUTHENTICATED: .*algorithm/);
  });

  it('refuses API keys when only JWTs are configured, and a malformed authorization value', async () => {
    expect(await refusal(() => auth.agent(metadataWith({ 'x-api-key': 'key-agent' })))).toMatch(/^UNAUTHENTICATED: API keys are not accepted here/);
    expect(await refusal(() => auth.agent(metadataWith({ authorization: 'Basic abc' })))).toBe('UNAUTHENTICATED: the authorization metadata must be "Bearer <jwt>"');
  });

  it('refuses a configuration that allows none or an HMAC algorithm', () => {
    expect(() => BearerTokenVerifier.open({ issuer, audience, algorithms: ['HS256'], clockSkewSeconds: 0, jwksFile: join(dir, 'jwks.json') })).toThrow(/asymmetric/);
    expect(() => BearerTokenVerifier.open({ issuer, audience, algorithms: ['none'], clockSkewSeconds: 0, jwksFile: join(dir, 'jwks.json') })).toThrow(/asymmetric/);
  });
});

describe('GrpcAuthenticator with mutual TLS', () => {
  const auth = new GrpcAuthenticator(directory, { apiKeys: true, mtlsTrustDomain: 'approvals.test' });
  const peer = (subjectaltname: string | undefined) => ({
    getAuthContext: () => ({ transportSecurityType: 'ssl', sslPeerCertificate: subjectaltname === undefined ? undefined : { subjectaltname } }),
  });

  it('takes the caller from the SPIFFE id of the client certificate', async () => {
    expect(await auth.agent(new Metadata(), peer('DNS:agent.internal, URI:spiffe://approvals.test/agent/agent-ops'))).toBe('agent-ops');
    expect(await auth.human(new Metadata(), 'cast votes', peer('URI:spiffe://approvals.test/human/alice'))).toBe('alice');
    // Matching credentials next to the certificate are fine.
    expect(await auth.agent(metadataWith({ 'x-api-key': 'key-agent' }), peer('URI:spiffe://approvals.test/agent/agent-ops'))).toBe('agent-ops');
  });

  it.each<[string, string, RegExp]>([
    ['another trust domain', 'URI:spiffe://elsewhere.test/agent/agent-ops', /^UNAUTHENTICATED: the client certificate must carry exactly one URI SAN/],
    ['two identities', 'URI:spiffe://approvals.test/agent/agent-ops, URI:spiffe://approvals.test/human/alice', /exactly one URI SAN/],
    ['a path that is not agent/<id> or human/<id>', 'URI:spiffe://approvals.test/service/intake', /must be spiffe:\/\/approvals.test\/agent\/<id>/],
    ['someone the directory does not know', 'URI:spiffe://approvals.test/agent/agent-ghost', /whom the directory does not know/],
  ])('refuses a certificate with %s', async (_name, sans, message) => {
    expect(await refusal(() => auth.agent(new Metadata(), peer(sans)))).toMatch(message);
  });

  it('refuses credentials that name someone else than the certificate', async () => {
    expect(await refusal(() => auth.agent(metadataWith({ 'x-api-key': 'key-alice' }), peer('URI:spiffe://approvals.test/agent/agent-ops')))).toBe(
      "PERMISSION_DENIED: the client certificate is agent-ops's but the other credentials are alice's",
    );
  });

  it('falls back to metadata credentials when the transport has no client certificate', async () => {
    expect(await auth.agent(metadataWith({ 'x-api-key': 'key-agent' }), peer(undefined))).toBe('agent-ops');
  });
});

import type { ApprovalsClient } from '@approvals/client';
import { createApprovalsClient, unary } from '@approvals/client';
import type { TestSystem } from '@approvals/testing';
import { TestPki, modes, startSystem } from '@approvals/testing';
import { actionRequest, awaitOutcome, failure, ledgerPosition } from './support';

jest.setTimeout(60_000);

const trustDomain = 'approvals.test';

// The security suite, part two: mutual TLS. The gRPC ports take only clients with a certificate
// from the configured CA, and the caller is the SPIFFE id in the certificate's URI SAN. A
// certificate from another CA cannot even connect; nothing reaches the ledger either way.
describe.each(modes)('%s mode: mutual TLS', (mode) => {
  let server: TestSystem;
  let pki: TestPki;
  let foreign: TestPki;
  const clients: ApprovalsClient[] = [];

  const clientWith = (authority: TestPki, uri: string, extra: { apiKey?: string } = {}) => {
    const cert = authority.client(uri.split('/').pop()!, uri);
    const client = createApprovalsClient({ address: server.addresses, deadlineMs: 10_000, tls: { ca: pki.ca.cert, cert: cert.cert, key: cert.key }, ...extra });
    clients.push(client);
    return client;
  };

  beforeAll(async () => {
    pki = TestPki.create('approvals');
    foreign = TestPki.create('foreign');
    const serverCert = pki.server();
    server = await startSystem(mode, {
      env: {
        APPROVALS_AUTH: 'mtls',
        APPROVALS_GRPC_TLS_CERT: serverCert.certFile,
        APPROVALS_GRPC_TLS_KEY: serverCert.keyFile,
        APPROVALS_GRPC_TLS_CLIENT_CA: pki.ca.certFile,
        APPROVALS_MTLS_TRUST_DOMAIN: trustDomain,
      },
    });
  });

  afterAll(async () => {
    for (const client of clients) client.close();
    await server?.dispose();
    pki?.dispose();
    foreign?.dispose();
  });

  it('takes the agent and the approver from their certificates, end to end', async () => {
    const agent = clientWith(pki, `spiffe://${trustDomain}/agent/agent-reporting`);
    const created = await unary(agent.intake, 'RequestAction', actionRequest({ action: 'db.export', parametersJson: '{"rows":6000}' }));
    await awaitOutcome(agent, created.actionId, 300);
    const bob = clientWith(pki, `spiffe://${trustDomain}/human/bob`);
    expect(await unary(bob.decisions, 'CastVote', { actionId: created.actionId, decision: 'APPROVE' })).toMatchObject({ accepted: true, status: 'APPROVED' });
    expect((await unary(agent.intake, 'GetAction', { actionId: created.actionId })).approval?.votes.map((v) => v.approverId)).toEqual(['bob']);
  });

  it('refuses a certificate from another CA at the handshake, and records nothing', async () => {
    const before = await ledgerPosition(server.decisionHttpUrl);
    const outsider = clientWith(foreign, `spiffe://${trustDomain}/agent/agent-reporting`);
    const refused = await failure(unary(outsider.intake, 'RequestAction', actionRequest({ action: 'db.read' })));
    expect(refused.status).toBe('UNAVAILABLE');
    expect(await ledgerPosition(server.decisionHttpUrl)).toBe(before);
  });

  it('refuses a plaintext client, a certificate for another trust domain or an unknown identity, and credentials that disagree', async () => {
    const before = await ledgerPosition(server.decisionHttpUrl);
    const plaintext = createApprovalsClient({ address: server.addresses, deadlineMs: 5_000 });
    clients.push(plaintext);
    expect((await failure(unary(plaintext.intake, 'RequestAction', actionRequest({ action: 'db.read' })))).status).toBe('UNAVAILABLE');

    const otherDomain = clientWith(pki, 'spiffe://elsewhere.test/agent/agent-reporting');
    expect(await failure(unary(otherDomain.intake, 'RequestAction', actionRequest({ action: 'db.read' })))).toMatchObject({ status: 'UNAUTHENTICATED' });
    const ghost = clientWith(pki, `spiffe://${trustDomain}/agent/agent-ghost`);
    expect((await failure(unary(ghost.intake, 'RequestAction', actionRequest({ action: 'db.read' })))).details).toContain('does not know');
    // A person's certificate cannot call the intake, and an agent's cannot vote.
    const alice = clientWith(pki, `spiffe://${trustDomain}/human/alice`);
    expect((await failure(unary(alice.intake, 'RequestAction', actionRequest({ action: 'db.read' })))).status).toBe('PERMISSION_DENIED');
    // An API key naming someone else next to the certificate.
    const mixed = clientWith(pki, `spiffe://${trustDomain}/agent/agent-ops`, { apiKey: 'demo-only-agent-reporting-7f3a9c1e' });
    expect((await failure(unary(mixed.intake, 'RequestAction', actionRequest({ action: 'db.read' })))).status).toBe('UNAUTHENTICATED');
    expect(await ledgerPosition(server.decisionHttpUrl)).toBe(before);
  });
});

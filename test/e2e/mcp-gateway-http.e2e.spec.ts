import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { SignJWT, exportJWK, generateKeyPair } from 'jose';
import { unary } from '@approvals/client';
import type { ServerProcess, TestSystem } from '@approvals/testing';
import { freePort, modes, startSystem } from '@approvals/testing';
import { clientAs } from './support';
import { actionIdOf, callTool, cli, httpClient, httpGateway, textOf, until, upstreamBin } from './mcp-support';

jest.setTimeout(120_000);

const issuer = 'https://idp.mcp.test';
const audience = 'approvals';

// The gateway serving Streamable HTTP: bearer JWTs of an identity provider name the agent (and the
// human it acts for), the token is passed on to the approvals service, which checks it too; the
// upstream is the everything server, itself over Streamable HTTP.
describe.each(modes)('%s mode: the MCP approval gateway over Streamable HTTP', (mode) => {
  let system: TestSystem;
  let dir: string;
  let gateway: ServerProcess & { mcpUrl: string };
  let upstream: ChildProcess;
  let mint: (sub: string, claims?: Record<string, unknown>) => Promise<string>;
  let client: Client;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'mcp-http-'));
    const { privateKey, publicKey } = await generateKeyPair('EdDSA', { crv: 'Ed25519' });
    writeFileSync(join(dir, 'jwks.json'), JSON.stringify({ keys: [{ ...(await exportJWK(publicKey)), kid: 'idp-1', alg: 'EdDSA', use: 'sig' }] }));
    mint = (sub, claims = {}) =>
      new SignJWT(claims).setProtectedHeader({ alg: 'EdDSA', kid: 'idp-1', typ: 'JWT' }).setIssuer(issuer).setAudience(audience).setSubject(sub).setIssuedAt().setExpirationTime('10m').sign(privateKey);
    system = await startSystem(mode, {
      env: { APPROVALS_AUTH: 'api-key,jwt', APPROVALS_JWT_ISSUER: issuer, APPROVALS_JWT_AUDIENCE: audience, APPROVALS_JWT_JWKS_FILE: join(dir, 'jwks.json') },
    });
    // The everything server over Streamable HTTP (its /mcp), as a remote upstream.
    const upstreamPort = await freePort();
    upstream = spawn(process.execPath, [upstreamBin('server-everything'), 'streamableHttp'], { env: { ...process.env, PORT: String(upstreamPort) }, stdio: 'ignore' });
    await answering(`http://127.0.0.1:${upstreamPort}/mcp`);
    const config = join(dir, 'gateway.json');
    writeFileSync(
      config,
      JSON.stringify({
        approvals: { address: system.addresses },
        upstreams: { everything: { url: `http://127.0.0.1:${upstreamPort}/mcp` } },
        http: { auth: { issuer, audience, jwksFile: join(dir, 'jwks.json'), onBehalfOfClaim: 'obo' } },
      }),
    );
    gateway = await httpGateway(config);
    client = await httpClient(gateway.mcpUrl, { authorization: `Bearer ${await mint('agent-mcp', { obo: 'olivia' })}` });
  });
  afterAll(async () => {
    await client?.close();
    await gateway?.kill();
    upstream?.kill('SIGKILL');
    await system?.dispose();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('refuses a caller without a valid bearer token', async () => {
    const noToken = await fetch(gateway.mcpUrl, { method: 'POST', headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream' }, body: '{}' });
    expect(noToken.status).toBe(401);
    expect(noToken.headers.get('www-authenticate')).toMatch(/^Bearer/);
    await expect(httpClient(gateway.mcpUrl, { authorization: 'Bearer not-a-jwt' })).rejects.toThrow(/401|invalid_token|not valid/);
  });

  it('passes an allowed call to the HTTP upstream as the token’s agent, on behalf of the token’s human', async () => {
    const result = await callTool(client, 'everything__echo', { message: 'hi over http' });
    expect(result.isError).toBeFalsy();
    expect(textOf(result)).toContain('hi over http');
    const agent = clientAs(system.addresses, 'agent-mcp');
    try {
      expect(await unary(agent.intake, 'GetAction', { actionId: actionIdOf(result) })).toMatchObject({ agentId: 'agent-mcp', onBehalfOf: 'olivia', action: 'mcp.everything.echo', status: 'APPROVED' });
    } finally {
      agent.close();
    }
  });

  it('holds a call that needs approval with progress over SSE, until an approver approves it', async () => {
    const progress: string[] = [];
    const call = callTool(client, 'everything__get-sum', { a: 2, b: 40 }, { progress });
    const actionId = /\(action (\S+)\)$/.exec(await until(() => progress.find((m) => m.startsWith('waiting for one approver from data-owners'))))![1]!;
    await cli(system.addresses, 'approve', actionId, '--as', 'alice');
    const result = await call;
    expect(result.isError).toBeFalsy();
    expect(textOf(result)).toContain('42');
  });

  it('keeps a session to the agent that opened it', async () => {
    const sessionId = (client.transport as { sessionId?: string }).sessionId!;
    const other = await fetch(gateway.mcpUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', 'mcp-session-id': sessionId, 'mcp-protocol-version': '2025-06-18', authorization: `Bearer ${await mint('agent-ops')}` },
      body: JSON.stringify({ jsonrpc: '2.0', id: 99, method: 'tools/list', params: {} }),
    });
    expect(other.status).toBe(403);
  });
});

/** Waits until something answers HTTP at `url` (the everything server has no readiness endpoint). */
async function answering(url: string): Promise<void> {
  const deadline = Date.now() + 20_000;
  while (!(await fetch(url, { signal: AbortSignal.timeout(1000) }).then(() => true, () => false))) {
    if (Date.now() > deadline) throw new Error(`nothing answers at ${url}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import type { Server } from '@modelcontextprotocol/sdk/server/index.js';
import { isInitializeRequest } from '@modelcontextprotocol/sdk/types.js';
import { Approvals } from '@approvals/sdk';
import type { JWTVerifyGetKey } from 'jose';
import { createLocalJWKSet, createRemoteJWKSet, jwtVerify } from 'jose';
import type { GatewayContext, SessionIdentity } from './gateway';
import { createGatewayServer } from './gateway';
import type { ApprovalsConnection } from './identity';

/** Largest JSON-RPC body accepted. */
const MAX_BODY_BYTES = 4 * 1024 * 1024;
/** Sessions kept at most, and how long an idle one lives. */
const MAX_SESSIONS = 1_000;
const IDLE_SESSION_MS = 30 * 60_000;

interface Session {
  transport: StreamableHTTPServerTransport;
  server: Server;
  identity: SessionIdentity;
  /** The caller's current bearer token, forwarded to the approvals service (refreshed on every request). */
  token: string | undefined;
  lastSeen: number;
}

class HttpProblem extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

const loopback = (host: string) => host === '127.0.0.1' || host === 'localhost' || host === '::1';

/**
 * Serves MCP over Streamable HTTP at `/mcp`, one gateway server per session. With `http.auth`,
 * every request carries a bearer JWT of the identity provider: its `sub` is the agent (the token
 * is passed on to the approvals service, which checks it too), the configured claim names the
 * human it acts for, and a session stays bound to the agent that opened it. Without it, every
 * session calls as the configured agent, which is allowed on a loopback address only.
 */
export async function serveHttp(context: GatewayContext, connection: ApprovalsConnection): Promise<{ url: string; close: () => Promise<void> }> {
  const { host, port, auth } = context.config.http;
  if (!auth && !loopback(host)) throw new Error(`http.host ${host} is not a loopback address: configure http.auth (bearer JWTs) to serve other hosts`);
  const keys: JWTVerifyGetKey | undefined = auth
    ? auth.jwksUrl
      ? createRemoteJWKSet(new URL(auth.jwksUrl))
      : createLocalJWKSet(JSON.parse(readFileSync(auth.jwksFile!, 'utf8')))
    : undefined;
  const shared = auth ? undefined : new Approvals(connection);
  const sessions = new Map<string, Session>();

  const authenticate = async (request: IncomingMessage): Promise<{ agent: string; onBehalfOf?: string; token?: string }> => {
    if (!auth || !keys) return { agent: 'the configured agent' };
    const header = request.headers.authorization ?? '';
    const token = /^Bearer\s+(\S+)$/i.exec(header)?.[1];
    const challenge = { 'www-authenticate': 'Bearer realm="approvals-mcp-gateway"' };
    if (!token) throw new HttpProblem(401, 'a bearer token is required', challenge);
    try {
      const { payload } = await jwtVerify(token, keys, { issuer: auth.issuer, audience: auth.audience, clockTolerance: 60, requiredClaims: ['exp'] });
      if (typeof payload.sub !== 'string' || payload.sub === '') throw new Error('the token has no subject');
      const obo = auth.onBehalfOfClaim ? payload[auth.onBehalfOfClaim] : undefined;
      return { agent: payload.sub, token, ...(typeof obo === 'string' && obo !== '' ? { onBehalfOf: obo } : {}) };
    } catch (error) {
      throw new HttpProblem(401, `the bearer token is not valid: ${(error as Error).message}`, { ...challenge, 'www-authenticate': `${challenge['www-authenticate']}, error="invalid_token"` });
    }
  };

  const open = async (caller: { agent: string; onBehalfOf?: string; token?: string }): Promise<Session> => {
    if (sessions.size >= MAX_SESSIONS) throw new HttpProblem(503, 'too many open sessions; try again later', { 'retry-after': '30' });
    // The service gets the token of the session's latest request (clients refresh their tokens).
    const current: { session?: Session } = {};
    const approvals = shared ?? new Approvals({ ...connection, apiKey: undefined, bearerToken: () => current.session?.token ?? '' });
    const identity: SessionIdentity = { approvals, agent: caller.agent, onBehalfOf: caller.onBehalfOf, active: 0 };
    const server = createGatewayServer(context, identity);
    const transport = new StreamableHTTPServerTransport({
      sessionIdGenerator: () => randomUUID(),
      onsessioninitialized: (id) => {
        sessions.set(id, current.session!);
      },
      ...(loopback(host) ? { enableDnsRebindingProtection: true, allowedHosts: [`127.0.0.1:${actualPort()}`, `localhost:${actualPort()}`, `[::1]:${actualPort()}`] } : {}),
    });
    const session: Session = { transport, server, identity, token: caller.token, lastSeen: Date.now() };
    current.session = session;
    transport.onclose = () => {
      if (transport.sessionId) sessions.delete(transport.sessionId);
      // Calls still running withdraw their actions or record their executions first (bounded).
      if (!shared) void closeWhenIdle(identity);
    };
    await server.connect(transport);
    return session;
  };

  const handle = async (request: IncomingMessage, response: ServerResponse) => {
    const path = new URL(request.url ?? '/', 'http://gateway').pathname;
    if ((path === '/healthz' || path === '/readyz') && request.method === 'GET') return send(response, 200, { status: 'ready', pid: process.pid, sessions: sessions.size });
    if (path !== '/mcp') throw new HttpProblem(404, 'not found: MCP is served at /mcp');
    const caller = await authenticate(request);
    const body = request.method === 'POST' ? await readJson(request) : undefined;
    const sessionId = request.headers['mcp-session-id'];
    if (typeof sessionId === 'string') {
      const session = sessions.get(sessionId);
      if (!session) throw new HttpProblem(404, 'unknown or expired session; initialize a new one');
      // A session is the agent's, acting for one human: another agent, or the same agent for someone else, opens its own.
      if (auth && (session.identity.agent !== caller.agent || session.identity.onBehalfOf !== caller.onBehalfOf)) {
        throw new HttpProblem(403, 'this session belongs to another agent or acts for another person');
      }
      session.token = caller.token;
      session.lastSeen = Date.now();
      return session.transport.handleRequest(request, response, body);
    }
    if (request.method === 'POST' && isInitializeRequest(body)) {
      const session = await open(caller);
      await session.transport.handleRequest(request, response, body);
      // Refused by the transport (Host, Accept or Content-Type): nothing may stay behind.
      if (!session.transport.sessionId) await session.transport.close().catch(() => undefined);
      return;
    }
    throw new HttpProblem(400, 'no mcp-session-id header: start with an initialize request');
  };

  const http = createServer((request, response) => {
    handle(request, response).catch((error: unknown) => {
      const problem = error instanceof HttpProblem ? error : new HttpProblem(500, 'internal error');
      if (!(error instanceof HttpProblem)) context.log.error({ err: error }, 'HTTP request failed');
      if (!response.headersSent) send(response, problem.status, { jsonrpc: '2.0', error: { code: -32000, message: problem.message }, id: null }, problem.headers);
      else response.end();
    });
  });
  const actualPort = () => (http.address() as AddressInfo | null)?.port ?? port;
  const sweep = setInterval(() => {
    const idleSince = Date.now() - IDLE_SESSION_MS;
    // A session waiting on an approval is busy, not idle, however long ago its last request came.
    for (const session of sessions.values()) {
      if (session.lastSeen < idleSince && session.identity.active === 0) void session.transport.close().catch(() => undefined);
    }
  }, 60_000);
  sweep.unref();
  await new Promise<void>((resolve, reject) => {
    http.once('error', reject);
    http.listen(port, host, () => resolve());
  });
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${actualPort()}/mcp`;
  return {
    url,
    close: async () => {
      clearInterval(sweep);
      await Promise.all([...sessions.values()].map((session) => session.transport.close().catch(() => undefined)));
      shared?.close();
      http.closeAllConnections();
      await new Promise<void>((resolve) => http.close(() => resolve()));
    },
  };
}

/** Closes a session's client once its running calls have ended (at most 15 s later). */
async function closeWhenIdle(identity: SessionIdentity): Promise<void> {
  const until = Date.now() + 15_000;
  while (identity.active > 0 && Date.now() < until) await new Promise((resolve) => setTimeout(resolve, 100));
  identity.approvals.close();
}

async function readJson(request: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) throw new HttpProblem(413, `the request body is larger than ${MAX_BODY_BYTES} bytes`);
    chunks.push(chunk);
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch {
    throw new HttpProblem(400, 'the request body is not JSON');
  }
}

function send(response: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  response.writeHead(status, { 'content-type': 'application/json', ...headers });
  response.end(JSON.stringify(body));
}

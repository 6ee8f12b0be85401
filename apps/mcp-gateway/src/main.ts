import { parseArgs } from 'node:util';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { Approvals, fetchGrantKeys } from '@approvals/sdk';
import type { JSONWebKeySet } from 'jose';
import { pino } from 'pino';
import { CallKeys } from './call-keys';
import { GatewayConfigError, loadGatewayConfig } from './config';
import type { GatewayContext } from './gateway';
import { GATEWAY_VERSION, createGatewayServer } from './gateway';
import { serveHttp } from './http-server';
import { approvalsConnection } from './identity';
import { Upstream } from './upstream';

const usage = `approvals MCP gateway ${GATEWAY_VERSION}: every tool call of the upstream MCP servers is first a request to the approvals ledger.

usage: mcp-gateway --config <file> [--stdio | --http [--port <n>] [--host <h>]] [--list-tools]

  --config <file>   the gateway configuration (JSON; see docs/mcp.md); also APPROVALS_MCP_CONFIG
  --stdio           serve one MCP client on stdin/stdout (the default: desktop and IDE clients)
  --http            serve Streamable HTTP at http://<host>:<port>/mcp (http.host, http.port in the file)
  --list-tools      connect to the upstream servers, print the tools the gateway exposes, and exit
  --log-level <l>   debug, info (default), warn or error; logs go to stderr
`;

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      config: { type: 'string' },
      stdio: { type: 'boolean', default: false },
      http: { type: 'boolean', default: false },
      port: { type: 'string' },
      host: { type: 'string' },
      'list-tools': { type: 'boolean', default: false },
      'log-level': { type: 'string', default: 'info' },
      help: { type: 'boolean', short: 'h', default: false },
    },
    strict: true,
  });
  if (values.help) {
    process.stdout.write(usage);
    return 0;
  }
  const file = values.config ?? process.env['APPROVALS_MCP_CONFIG'];
  if (!file) {
    process.stderr.write(`mcp-gateway: --config <file> is required\n\n${usage}`);
    return 2;
  }
  // stdout carries the MCP protocol in stdio mode: logs go to stderr only.
  const log = pino({ name: 'mcp-gateway', level: values['log-level'] }, pino.destination(2));
  const config = loadGatewayConfig(file);
  if (values.port !== undefined) {
    const port = Number(values.port);
    if (!Number.isInteger(port) || port < 0 || port > 65535) throw new GatewayConfigError(`--port must be a port number (0-65535), got "${values.port}"`);
    config.http.port = port;
  }
  if (values.host !== undefined) config.http.host = values.host;

  const servers: GatewayContext['servers'] = new Set();
  const upstreams = new Map(
    Object.entries(config.upstreams).map(([name, upstream]) => [
      name,
      new Upstream(name, upstream, log, () => {
        for (const server of servers) server.sendToolListChanged().catch(() => undefined);
      }),
    ]),
  );
  let jwks: { keys: JSONWebKeySet; at: number } | undefined;
  const context: GatewayContext = {
    config,
    upstreams,
    keys: new CallKeys(),
    log,
    servers,
    reports: new Set(),
    ...(config.approvals.jwksUrl
      ? {
          jwks: async () => {
            // The service's grant keys change only on rotation: fetched again every five minutes.
            if (!jwks || Date.now() - jwks.at > 300_000) jwks = { keys: await fetchGrantKeys(config.approvals.jwksUrl!), at: Date.now() };
            return jwks.keys;
          },
        }
      : {}),
  };
  const connection = approvalsConnection(config);
  const addresses = typeof config.approvals.address === 'string' ? [config.approvals.address] : Object.values(config.approvals.address);
  if (!config.approvals.tls && addresses.some((address) => !/^(127\.|localhost:|\[::1\]:)/.test(address))) {
    log.warn({ addresses }, 'the approvals service is reached without TLS on a non-loopback address: credentials travel in clear; configure approvals.tls');
  }
  const shutdown: (() => Promise<void>)[] = [() => Promise.all([...upstreams.values()].map((u) => u.close())).then(() => undefined)];

  if (values['list-tools']) {
    for (const upstream of upstreams.values()) {
      for (const tool of await upstream.tools()) process.stdout.write(`${upstream.name}__${tool.name}\t${(tool.description ?? '').split('\n')[0]}\n`);
    }
    await Promise.all(shutdown.map((step) => step()));
    return 0;
  }

  if (values.http) {
    const http = await serveHttp(context, connection);
    shutdown.unshift(http.close);
    log.info({ url: http.url, upstreams: [...upstreams.keys()] }, `MCP gateway serving Streamable HTTP at ${http.url}`);
  } else {
    const approvals = new Approvals(connection);
    const server = createGatewayServer(context, { approvals, agent: 'the configured agent', onBehalfOf: config.request.onBehalfOf, active: 0 });
    const transport = new StdioServerTransport();
    await server.connect(transport);
    shutdown.unshift(async () => {
      await server.close();
      approvals.close();
    });
    log.info({ upstreams: [...upstreams.keys()] }, 'MCP gateway serving stdio');
    // The client closing stdin ends the session, and the gateway with it.
    process.stdin.once('end', () => stop('stdin closed'));
  }

  let stopping = false;
  const stop = (why: string) => {
    if (stopping) return;
    stopping = true;
    log.info(`stopping: ${why}`);
    const bound = setTimeout(() => process.exit(1), 10_000);
    bound.unref();
    // Executions whose results already went out are recorded first, then everything closes in order (bounded above).
    void (async () => {
      await Promise.all([...context.reports]);
      for (const step of shutdown) await step().catch(() => undefined);
    })().finally(() => process.exit(0));
  };
  process.once('SIGTERM', () => stop('SIGTERM'));
  process.once('SIGINT', () => stop('SIGINT'));
  return -1;
}

main().then(
  (code) => {
    if (code >= 0) process.exit(code);
  },
  (error: unknown) => {
    process.stderr.write(`mcp-gateway: ${error instanceof GatewayConfigError ? error.message : (error as Error).stack ?? String(error)}\n`);
    process.exit(error instanceof GatewayConfigError ? 2 : 1);
  },
);

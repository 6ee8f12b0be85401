import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { CallToolResultSchema } from '@modelcontextprotocol/sdk/types.js';
import type { ServiceAddresses } from '@approvals/client';
import { ServerProcess, freePort, repoRoot } from '@approvals/testing';
import { demoKey } from './support';

export const gatewayMain = () => join(repoRoot(), 'dist', 'apps', 'mcp-gateway', 'src', 'main.js');
export const upstreamBin = (name: 'server-filesystem' | 'server-everything') => join(repoRoot(), 'node_modules', '@modelcontextprotocol', name, 'dist', 'index.js');

/** A scratch folder named mcp-scratch (what the demo policies allow changes in), with one file. */
export function scratchFolder(): { root: string; scratch: string } {
  const root = mkdtempSync(join(tmpdir(), 'mcp-e2e-'));
  const scratch = join(root, 'mcp-scratch');
  mkdirSync(scratch);
  writeFileSync(join(scratch, 'notes.txt'), 'hello from the scratch folder\n');
  return { root, scratch };
}

/** A gateway configuration file in `dir` with the file-system server on `allowed` and the everything server. */
export function gatewayConfig(dir: string, addresses: ServiceAddresses, allowed: string, extra: Record<string, unknown> = {}): string {
  const file = join(dir, `gateway-${Math.random().toString(36).slice(2)}.json`);
  writeFileSync(
    file,
    JSON.stringify({
      approvals: { address: addresses, apiKey: demoKey('agent-mcp') },
      upstreams: {
        fs: { command: process.execPath, args: [upstreamBin('server-filesystem'), allowed] },
        everything: { command: process.execPath, args: [upstreamBin('server-everything')] },
      },
      ...extra,
    }),
  );
  return file;
}

/** An MCP client of a gateway it spawns over stdio (as Claude Desktop does). */
export async function stdioClient(configFile: string): Promise<Client> {
  const client = new Client({ name: 'e2e-client', version: '1.0.0' });
  const transport = new StdioClientTransport({ command: process.execPath, args: [gatewayMain(), '--config', configFile], stderr: 'pipe' });
  await client.connect(transport);
  recordProgress(client, transport);
  return client;
}

/** The gateway as an HTTP server process on a free port. */
export async function httpGateway(configFile: string, env: Record<string, string> = {}): Promise<ServerProcess & { mcpUrl: string }> {
  const port = await freePort();
  const process = new ServerProcess({ name: 'MCP gateway', main: join('dist', 'apps', 'mcp-gateway', 'src', 'main.js'), args: ['--config', configFile, '--http', '--port', String(port)], httpPort: port, env });
  await process.spawn();
  return Object.assign(process, { mcpUrl: `${process.httpUrl}/mcp` });
}

export async function httpClient(url: string, headers: Record<string, string> = {}): Promise<Client> {
  const client = new Client({ name: 'e2e-http-client', version: '1.0.0' });
  const transport = new StreamableHTTPClientTransport(new URL(url), { requestInit: { headers } });
  await client.connect(transport);
  recordProgress(client, transport);
  return client;
}

const progressSeen = new WeakMap<Client, string[]>();

/**
 * Every progress message the gateway sent this client, in order, as it arrived. The SDK's client
 * drops a progress notification that arrives together with its result (it settles the result
 * first: modelcontextprotocol/typescript-sdk#2580), so what the gateway sent is read off the wire.
 */
export const progressOnTheWire = (client: Client): string[] => progressSeen.get(client) ?? [];

function recordProgress(client: Client, transport: Transport): void {
  const seen: string[] = [];
  progressSeen.set(client, seen);
  const dispatch = transport.onmessage;
  transport.onmessage = (message, extra) => {
    if ('method' in message && message.method === 'notifications/progress') seen.push(String(message.params?.['message'] ?? ''));
    dispatch?.(message, extra);
  };
}

/** Calls a tool, collecting its progress messages. */
export async function callTool(client: Client, name: string, args: Record<string, unknown>, options: { signal?: AbortSignal; progress?: string[] } = {}): Promise<CallToolResult> {
  return (await client.callTool({ name, arguments: args }, CallToolResultSchema, {
    ...(options.signal ? { signal: options.signal } : {}),
    onprogress: (p) => options.progress?.push(p.message ?? ''),
    resetTimeoutOnProgress: true,
    timeout: 120_000,
  })) as CallToolResult;
}

export const textOf = (result: CallToolResult) =>
  result.content
    .filter((c): c is { type: 'text'; text: string } => c.type === 'text')
    .map((c) => c.text)
    .join('\n');

export const actionIdOf = (result: CallToolResult) => String(result._meta?.['approvals/actionId'] ?? '');

/** The approvals CLI, as an approver uses it. */
export async function cli(addresses: ServiceAddresses, ...args: string[]): Promise<string> {
  const { stdout } = await promisify(execFile)(process.execPath, [join(repoRoot(), 'dist', 'apps', 'cli', 'src', 'main.js'), ...args, '--address', addresses.intake], {
    env: { ...process.env, APPROVALS_DECISIONS_ADDRESS: addresses.decisions, APPROVALS_AUDIT_ADDRESS: addresses.audit },
    timeout: 30_000,
  });
  return stdout;
}

/** Waits until `probe` returns a value (bounded). */
export async function until<T>(probe: () => T | undefined, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error('timed out waiting');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

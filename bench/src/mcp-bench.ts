import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { CallToolResultSchema } from '@modelcontextprotocol/sdk/types.js';
import { Approvals } from '@approvals/sdk';
import { EmbeddedServer, repoRoot } from '@approvals/testing';
import { median, percentile } from './stats';

/**
 * An auto-allowed MCP tool call (the everything server's echo) made through the gateway, against
 * the same call made directly to the same upstream server, in the same run: alternating blocks of
 * sequential calls, so that both sides see the same machine. The gateway's side includes the whole
 * ledger round: request, policy, grant, redemption, report.
 */

export interface McpFigures {
  calls: number;
  rounds: number;
  direct: Latency;
  /** The same ledger round without MCP in between: the SDK's guard, running the direct call. */
  guarded: Latency;
  gateway: Latency;
  /** What the gateway itself adds on top of the ledger round, at p50. */
  gatewayOwnP50Ms: number;
  addedP50Ms: number;
  addedP90Ms: number;
  /** The added p50 of each round, to show the spread. */
  roundAddedP50Ms: number[];
}

interface Latency {
  p50: number;
  p90: number;
  p99: number;
  max: number;
}

const round2 = (n: number) => Math.round(n * 100) / 100;

async function timedCalls(client: Client, name: string, count: number): Promise<number[]> {
  return timed(count, async (i) => {
    const result = await client.callTool({ name, arguments: { message: `ping ${i}` } }, CallToolResultSchema);
    if (result.isError) throw new Error(`${name} failed: ${JSON.stringify(result.content)}`);
  });
}

/** The ledger round as the gateway makes it, without MCP in front: guard, whose run is the direct call. */
async function timedGuards(approvals: Approvals, client: Client, count: number): Promise<number[]> {
  return timed(count, async (i) => {
    const parameters = { message: `ping ${i}` };
    const request = { model: 'bench', action: 'mcp.everything.echo', resource: { kind: 'mcp-tool', id: 'everything/echo' }, environment: 'dev', justification: 'bench', parameters };
    const outcome = await approvals.guard(request, (approved) => client.callTool({ name: 'echo', arguments: approved.parameters }, CallToolResultSchema), { reportInBackground: true });
    if (outcome.outcome !== 'executed') throw new Error(`guard ended ${outcome.outcome}`);
  });
}

async function timed(count: number, call: (i: number) => Promise<void>): Promise<number[]> {
  const samples: number[] = [];
  for (let i = 0; i < count; i += 1) {
    const started = process.hrtime.bigint();
    await call(i);
    samples.push(Number(process.hrtime.bigint() - started) / 1e6);
  }
  return samples;
}

function latency(samples: number[]): Latency {
  const sorted = [...samples].sort((a, b) => a - b);
  return { p50: round2(percentile(sorted, 50)), p90: round2(percentile(sorted, 90)), p99: round2(percentile(sorted, 99)), max: round2(sorted.at(-1) ?? Number.NaN) };
}

export async function benchMcp(options: { calls: number; rounds: number; warmup: number; agentKey: string; log: (line: string) => void }): Promise<McpFigures> {
  const everything = join(repoRoot(), 'node_modules', '@modelcontextprotocol', 'server-everything', 'dist', 'index.js');
  const dir = mkdtempSync(join(tmpdir(), 'bench-mcp-'));
  options.log('mcp: starting the embedded server, the gateway and the everything server ...');
  const server = await EmbeddedServer.start({ env: { LOG_LEVEL: 'warn' } });
  const config = join(dir, 'gateway.json');
  writeFileSync(config, JSON.stringify({ approvals: { address: server.grpcAddress, apiKey: options.agentKey }, upstreams: { everything: { command: process.execPath, args: [everything] } } }));
  const direct = new Client({ name: 'bench-direct', version: '1' });
  const approvals = new Approvals({ address: server.grpcAddress, apiKey: options.agentKey });
  const gateway = new Client({ name: 'bench-gateway', version: '1' });
  try {
    await direct.connect(new StdioClientTransport({ command: process.execPath, args: [everything], stderr: 'ignore' }));
    await gateway.connect(
      new StdioClientTransport({ command: process.execPath, args: [join(repoRoot(), 'dist', 'apps', 'mcp-gateway', 'src', 'main.js'), '--config', config, '--log-level', 'warn'], stderr: 'ignore' }),
    );
    await timedCalls(direct, 'echo', options.warmup);
    await timedCalls(gateway, 'everything__echo', options.warmup);
    await timedGuards(approvals, direct, options.warmup);
    const directSamples: number[] = [];
    const guardedSamples: number[] = [];
    const gatewaySamples: number[] = [];
    const roundAdded: number[] = [];
    const perRound = Math.ceil(options.calls / options.rounds);
    for (let round = 1; round <= options.rounds; round += 1) {
      const d = await timedCalls(direct, 'echo', perRound);
      const u = await timedGuards(approvals, direct, perRound);
      const g = await timedCalls(gateway, 'everything__echo', perRound);
      directSamples.push(...d);
      guardedSamples.push(...u);
      gatewaySamples.push(...g);
      roundAdded.push(round2(median(g) - median(d)));
      options.log(`mcp: round ${round}/${options.rounds}: direct p50 ${round2(median(d))} ms, SDK guard p50 ${round2(median(u))} ms, through the gateway p50 ${round2(median(g))} ms`);
    }
    const d = latency(directSamples);
    const u = latency(guardedSamples);
    const g = latency(gatewaySamples);
    return {
      calls: perRound * options.rounds,
      rounds: options.rounds,
      direct: d,
      guarded: u,
      gateway: g,
      addedP50Ms: round2(g.p50 - d.p50),
      addedP90Ms: round2(g.p90 - d.p90),
      gatewayOwnP50Ms: round2(g.p50 - u.p50),
      roundAddedP50Ms: roundAdded,
    };
  } finally {
    approvals.close();
    await gateway.close().catch(() => undefined);
    await direct.close().catch(() => undefined);
    await server.dispose();
    rmSync(dir, { recursive: true, force: true });
  }
}

export function mcpReport(f: McpFigures): string[] {
  return [
    `## MCP gateway: an auto-allowed tool call, through the gateway and direct (embedded mode)`,
    '',
    `${f.calls} sequential calls of the everything server's \`echo\` each way over stdio, in ${f.rounds} alternating rounds after a warm-up. ` +
      `Through the gateway a call is also a ledger request (policy ALLOW), a grant redeemed and an execution reported.`,
    '',
    `| path | p50 ms | p90 ms | p99 ms | max ms |`,
    `| --- | --- | --- | --- | --- |`,
    `| direct to the upstream | ${f.direct.p50} | ${f.direct.p90} | ${f.direct.p99} | ${f.direct.max} |`,
    `| the ledger round without MCP (SDK guard running the direct call) | ${f.guarded.p50} | ${f.guarded.p90} | ${f.guarded.p99} | ${f.guarded.max} |`,
    `| through the gateway | ${f.gateway.p50} | ${f.gateway.p90} | ${f.gateway.p99} | ${f.gateway.max} |`,
    '',
    `Added by the gateway: ${f.addedP50Ms} ms at p50 (rounds: ${f.roundAddedP50Ms.join(', ')} ms), ${f.addedP90Ms} ms at p90; ` +
      `of that, ${f.gatewayOwnP50Ms} ms at p50 is the gateway's own (MCP hops, mapping, keys) and the rest is the ledger round. ` +
      `Target: at most 2 ms at p50: ${f.addedP50Ms <= 2 ? 'met' : 'NOT met'} in this run.`,
    '',
  ];
}

import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { ApprovalsClient } from '@approvals/platform';
import { createApprovalsClient, unary } from '@approvals/platform';
import { EmbeddedServer, repoRoot } from '@approvals/testing';
import { readFileSync } from 'node:fs';

// Drives the real embedded server (a child process) over gRPC from this process: each worker
// asks for an auto-allowed action and waits for its outcome, in a closed loop.

const { values } = parseArgs({
  options: {
    seconds: { type: 'string', default: '10' },
    warmup: { type: 'string', default: '3' },
    /** Comma-separated load levels; each is measured in turn against the same server. */
    concurrency: { type: 'string', default: '1,4,16' },
    connections: { type: 'string', default: '4' },
    /** Drive an already running server (e.g. one started with --cpu-prof) instead of starting one. */
    address: { type: 'string' },
  },
});
const seconds = Number(values.seconds);
const warmupSeconds = Number(values.warmup);
const levels = values.concurrency.split(',').map((v) => Number(v.trim()));
if (levels.some((l) => !Number.isInteger(l) || l < 1)) throw new Error(`--concurrency must list positive integers, got ${values.concurrency}`);
const connections = Number(values.connections);

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

async function worker(client: ApprovalsClient, worker: number, until: number, latencies: number[] | undefined, errors: string[]) {
  let n = 0;
  while (Date.now() < until) {
    n += 1;
    const started = process.hrtime.bigint();
    try {
      const created = await unary(client.intake, 'RequestAction', {
        model: 'bench-model',
        action: 'db.read',
        resource: { kind: 'dataset', id: 'customers' },
        environment: 'prod',
        parametersJson: '{"columns":["id","country"]}',
        justification: 'benchmark',
        idempotencyKey: `bench-${process.pid}-${worker}-${n}-${Date.now()}`,
      });
      const outcome = await unary(client.intake, 'AwaitDecision', { actionId: created.actionId, timeoutMs: 5000 });
      if (outcome.action?.status !== 'APPROVED') throw new Error(`unexpected outcome ${outcome.action?.status}`);
      latencies?.push(Number(process.hrtime.bigint() - started) / 1e6);
    } catch (error) {
      errors.push((error as Error).message);
    }
  }
}

async function phase(clients: ApprovalsClient[], concurrency: number, durationMs: number, record: boolean) {
  const latencies: number[] = [];
  const errors: string[] = [];
  const until = Date.now() + durationMs;
  const started = Date.now();
  await Promise.all(
    Array.from({ length: concurrency }, (_, i) => worker(clients[i % clients.length]!, i, until, record ? latencies : undefined, errors)),
  );
  return { latencies: latencies.sort((a, b) => a - b), errors, elapsedMs: Date.now() - started };
}

async function main() {
  const directory = JSON.parse(readFileSync(join(repoRoot(), 'policies', 'demo', 'directory.json'), 'utf8')) as {
    agents: { id: string; apiKey?: string }[];
  };
  const apiKey = directory.agents.find((a) => a.id === 'agent-reporting')?.apiKey;
  if (!apiKey) throw new Error('agent-reporting has no demo key in policies/demo/directory.json');

  process.stderr.write(values.address ? `[bench] driving ${values.address}\n` : `[bench] starting the embedded server ...\n`);
  const server = values.address ? undefined : await EmbeddedServer.start({ env: { LOG_LEVEL: 'warn' } });
  const address = values.address ?? server!.grpcAddress;
  const clients = Array.from({ length: connections }, (_, i) =>
    createApprovalsClient({ address, apiKey, channelOptions: { 'grpc.channel_id': i } as never }),
  );
  try {
    process.stderr.write(`[bench] warm-up ${warmupSeconds} s ...\n`);
    await phase(clients, Math.max(...levels), warmupSeconds * 1000, false);
    const rows = [];
    for (const concurrency of levels) {
      process.stderr.write(`[bench] measuring ${seconds} s with ${concurrency} concurrent agents over ${connections} connections ...\n`);
      const { latencies, errors, elapsedMs } = await phase(clients, concurrency, seconds * 1000, true);
      rows.push({
        concurrency,
        seconds: elapsedMs / 1000,
        completed: latencies.length,
        errors: errors.length,
        firstError: errors[0],
        throughputPerSecond: Math.round(latencies.length / (elapsedMs / 1000)),
        latencyMs: {
          p50: Number(percentile(latencies, 50).toFixed(2)),
          p90: Number(percentile(latencies, 90).toFixed(2)),
          p99: Number(percentile(latencies, 99).toFixed(2)),
          max: Number((latencies[latencies.length - 1] ?? Number.NaN).toFixed(2)),
        },
      });
    }
    const date = new Date().toISOString();
    const result = {
      scenario: 'auto-allowed actions: RequestAction + AwaitDecision, closed loop',
      date,
      node: process.version,
      machine: `${cpus().length} cores, ${(totalmem() / 2 ** 30).toFixed(0)} GiB`,
      connections,
      target: { throughputPerSecond: 1000, p99Ms: 10 },
      levels: rows,
    };
    const met = rows.some((r) => r.throughputPerSecond >= 1000 && r.latencyMs.p99 < 10 && r.errors === 0);
    const report = [
      `# Benchmark: embedded mode, auto-allowed actions`,
      '',
      `- date: ${date}`,
      `- machine: ${result.machine}; Node ${result.node}; server and load generator share the machine`,
      `- load: closed loop over ${connections} gRPC connections, ${seconds} s per level after ${warmupSeconds} s warm-up`,
      `- each action: RequestAction then AwaitDecision (request-to-outcome latency)`,
      '',
      `| concurrent agents | throughput (actions/s) | p50 ms | p90 ms | p99 ms | max ms | completed | errors |`,
      `| --- | --- | --- | --- | --- | --- | --- | --- |`,
      ...rows.map(
        (r) =>
          `| ${r.concurrency} | ${r.throughputPerSecond} | ${r.latencyMs.p50} | ${r.latencyMs.p90} | ${r.latencyMs.p99} | ${r.latencyMs.max} | ${r.completed} | ${r.errors} |`,
      ),
      '',
      `Target: at least 1000 actions/s with p99 under 10 ms at one load level. ${met ? 'Met' : 'NOT met'} in this run.`,
      ...rows.filter((r) => r.firstError).map((r) => `First error at ${r.concurrency}: ${r.firstError}`),
      '',
    ].join('\n');
    const dir = join(repoRoot(), 'bench', 'results');
    mkdirSync(dir, { recursive: true });
    const stamp = date.replace(/[:.]/g, '-');
    writeFileSync(join(dir, `embedded-auto-allow-${stamp}.md`), report);
    writeFileSync(join(dir, `embedded-auto-allow-${stamp}.json`), JSON.stringify(result, null, 2));
    process.stdout.write(report);
    process.stderr.write(`[bench] report written to bench/results/embedded-auto-allow-${stamp}.md\n`);
  } finally {
    for (const c of clients) c.close();
    await server?.dispose();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`[bench] failed: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});

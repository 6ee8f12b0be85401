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
    concurrency: { type: 'string', default: '16' },
    connections: { type: 'string', default: '4' },
  },
});
const seconds = Number(values.seconds);
const warmupSeconds = Number(values.warmup);
const concurrency = Number(values.concurrency);
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

async function phase(clients: ApprovalsClient[], durationMs: number, record: boolean) {
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

  process.stderr.write(`[bench] starting the embedded server ...\n`);
  const server = await EmbeddedServer.start({ env: { LOG_LEVEL: 'warn' } });
  const clients = Array.from({ length: connections }, (_, i) =>
    createApprovalsClient({ address: server.grpcAddress, apiKey, channelOptions: { 'grpc.channel_id': i } as never }),
  );
  try {
    process.stderr.write(`[bench] warm-up ${warmupSeconds} s ...\n`);
    await phase(clients, warmupSeconds * 1000, false);
    process.stderr.write(`[bench] measuring ${seconds} s with ${concurrency} concurrent agents over ${connections} connections ...\n`);
    const { latencies, errors, elapsedMs } = await phase(clients, seconds * 1000, true);
    const throughput = latencies.length / (elapsedMs / 1000);
    const result = {
      scenario: 'auto-allowed actions: RequestAction + AwaitDecision, closed loop',
      date: new Date().toISOString(),
      node: process.version,
      machine: `${cpus().length} cores, ${(totalmem() / 2 ** 30).toFixed(0)} GiB`,
      concurrency,
      connections,
      seconds: elapsedMs / 1000,
      completed: latencies.length,
      errors: errors.length,
      throughputPerSecond: Math.round(throughput),
      latencyMs: {
        p50: Number(percentile(latencies, 50).toFixed(2)),
        p90: Number(percentile(latencies, 90).toFixed(2)),
        p99: Number(percentile(latencies, 99).toFixed(2)),
        max: Number((latencies[latencies.length - 1] ?? Number.NaN).toFixed(2)),
      },
      target: { throughputPerSecond: 1000, p99Ms: 10 },
    };
    const met = result.throughputPerSecond >= 1000 && result.latencyMs.p99 < 10;
    const report = [
      `# Benchmark: embedded mode, auto-allowed actions`,
      '',
      `- date: ${result.date}`,
      `- machine: ${result.machine}; Node ${result.node}; server and load generator on the same machine`,
      `- load: ${concurrency} concurrent agents over ${connections} gRPC connections, closed loop, ${result.seconds.toFixed(1)} s after ${warmupSeconds} s warm-up`,
      `- each action: RequestAction then AwaitDecision (request-to-outcome latency)`,
      '',
      `| metric | value | target |`,
      `| --- | --- | --- |`,
      `| throughput | ${result.throughputPerSecond} actions/s | >= 1000 |`,
      `| latency p50 | ${result.latencyMs.p50} ms | |`,
      `| latency p90 | ${result.latencyMs.p90} ms | |`,
      `| latency p99 | ${result.latencyMs.p99} ms | < 10 ms |`,
      `| latency max | ${result.latencyMs.max} ms | |`,
      `| completed / errors | ${result.completed} / ${result.errors} | 0 errors |`,
      '',
      `Target ${met ? 'met' : 'NOT met'} in this run.`,
      ...(errors.length > 0 ? ['', `First error: ${errors[0]}`] : []),
      '',
    ].join('\n');
    const dir = join(repoRoot(), 'bench', 'results');
    mkdirSync(dir, { recursive: true });
    const stamp = result.date.replace(/[:.]/g, '-');
    writeFileSync(join(dir, `embedded-auto-allow-${stamp}.md`), report);
    writeFileSync(join(dir, `embedded-auto-allow-${stamp}.json`), JSON.stringify(result, null, 2));
    process.stdout.write(report);
    process.stderr.write(`[bench] report written to bench/results/embedded-auto-allow-${stamp}.md\n`);
  } finally {
    for (const c of clients) c.close();
    await server.dispose();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`[bench] failed: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});

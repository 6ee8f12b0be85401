import type { ApprovalsClient, ServiceAddresses } from '@approvals/client';
import { createApprovalsClient, unary } from '@approvals/client';
import type { CpuGroup, CpuUsage } from './cpu-usage';
import { cpuBetween, sampleCpu } from './cpu-usage';
import { percentile } from './stats';

// The load: each worker asks for an auto-allowed action and waits for its outcome, in a closed
// loop, over a few gRPC connections from this process.

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

/** One load level's figures. */
export interface Row {
  concurrency: number;
  seconds: number;
  completed: number;
  errors: number;
  firstError: string | undefined;
  throughputPerSecond: number;
  latencyMs: { p50: number; p90: number; p99: number; max: number };
  /** CPU milliseconds per completed action, by process group, measured over the level. */
  cpuMsPerAction?: Record<string, number>;
  /** Busy share of the machine's cores over the level. */
  machineBusy?: number;
}

/** How to load a running system, and for how long. */
export interface LoadOptions {
  /** Several (replicas behind no balancer): the connections are spread over them in turn. */
  addresses: ServiceAddresses | readonly ServiceAddresses[];
  apiKey: string;
  /** Names the system in progress lines. */
  label: string;
  /** Load levels (concurrent agents), measured in turn after one warm-up at the highest. */
  levels: readonly number[];
  seconds: number;
  warmupSeconds: number;
  connections: number;
  cpuGroups?: CpuGroup[];
  /** Called as each level starts; the function it returns is called as the level ends. */
  onLevel?: (concurrency: number) => (row: Row) => void;
  log: (line: string) => void;
}

/** Warms the system up, then measures each load level in turn against it. */
export async function measure(options: LoadOptions): Promise<Row[]> {
  const { levels, seconds, warmupSeconds, connections, label, cpuGroups = [] } = options;
  const clients = Array.from({ length: connections }, (_, i) =>
    createApprovalsClient({ address: replicaOf(options.addresses, i), apiKey: options.apiKey, channelOptions: { 'grpc.channel_id': i } as never }),
  );
  try {
    if (warmupSeconds > 0) {
      options.log(`${label}: warm-up ${warmupSeconds} s ...`);
      await phase(clients, Math.max(...levels), warmupSeconds * 1000, false);
    }
    const rows: Row[] = [];
    for (const concurrency of levels) {
      options.log(`${label}: measuring ${seconds} s with ${concurrency} concurrent agents over ${connections} connections ...`);
      const ended = options.onLevel?.(concurrency);
      const before = sampleCpu(cpuGroups);
      const { latencies, errors, elapsedMs } = await phase(clients, concurrency, seconds * 1000, true);
      const cpu: CpuUsage = cpuBetween(before, sampleCpu(cpuGroups));
      const perAction = (ms: number) => Number((ms / Math.max(1, latencies.length)).toFixed(2));
      const row: Row = {
        ...(cpuGroups.length > 0
          ? {
              cpuMsPerAction: Object.fromEntries([...cpu.groups.map((g) => [g.name, perAction(g.cpuMs)] as const), ['machine', perAction(cpu.machineBusyMs)] as const]),
              machineBusy: Number(cpu.machineBusy.toFixed(2)),
            }
          : {}),
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
      };
      ended?.(row);
      rows.push(row);
    }
    return rows;
  } finally {
    for (const c of clients) c.close();
  }
}

/** The addresses the i-th connection uses. */
function replicaOf(addresses: ServiceAddresses | readonly ServiceAddresses[], i: number): ServiceAddresses {
  return Array.isArray(addresses) ? (addresses as readonly ServiceAddresses[])[i % addresses.length]! : (addresses as ServiceAddresses);
}

import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { ServiceAddresses } from '@approvals/client';
import type { Mode } from '@approvals/testing';
import { DistributedSystem, EmbeddedServer, distributedServices, repoRoot } from '@approvals/testing';
import type { Row } from './closed-loop';
import { measure as measureLevels } from './closed-loop';
import type { KafkaFloor } from './kafka-floor';
import { measureKafkaFloor } from './kafka-floor';
import { benchLedgers } from './ledger-bench';
import { benchPolicies } from './policy-bench';
import type { CpuGroup } from './cpu-usage';
import type { TelemetrySystem } from './telemetry-bench';
import { benchTelemetry, telemetryReport } from './telemetry-bench';
import { benchDisk, diskReport } from './disk-bench';
import { benchVerify, verifyReport } from './verify-bench';
import { benchMcp, mcpReport } from './mcp-bench';

// Drives the real system over gRPC from this process: each worker asks for an auto-allowed action
// and waits for its outcome, in a closed loop. Embedded mode is one server process; distributed
// mode is the five service processes over the real Kafka broker, measured together with the
// broker's own one-hop latency (the floor) in the same run. The telemetry part measures the same
// load with OpenTelemetry off and fully on (every trace sampled) and reports the throughput lost.
// The disk part measures what bounding the SQLite write-ahead logs costs in latency, and the disk
// the embedded server takes per action.

const { values } = parseArgs({
  options: {
    seconds: { type: 'string', default: '10' },
    warmup: { type: 'string', default: '3' },
    /** Comma-separated load levels; each is measured in turn against the same system. */
    concurrency: { type: 'string', default: '1,4,16' },
    connections: { type: 'string', default: '4' },
    /**
     * Comma-separated parts to measure: the two modes end to end (embedded, distributed), telemetry
     * off against on in those modes (telemetry), the ledger adapters (ledger), policy evaluation (policy),
     * the write-ahead log bound's cost and the disk per action in embedded mode (disk), an MCP tool
     * call through the gateway against the same call direct (mcp; not in the default list), and
     * distributed mode with one and with two replicas of every service (replicas; not in the default list).
     */
    mode: { type: 'string', default: 'embedded,distributed,telemetry,ledger,policy,disk,verify' },
    /** Verify part: events in the ledger verified, and the closed loop's agents for the cost of the log on the auto-allow path. */
    'verify-events': { type: 'string', default: '1000000' },
    'verify-concurrency': { type: 'string', default: '16' },
    /** Runs per setting of the log's cost (alternating off and on): a 5% difference needs more than two on a shared machine. */
    'verify-rounds': { type: 'string', default: '4' },
    /** MCP part: sequential tool calls each way, in alternating rounds. */
    'mcp-calls': { type: 'string', default: '2000' },
    'mcp-rounds': { type: 'string', default: '4' },
    /** Telemetry part: the systems compared, their load levels, and the runs per setting (alternating off and on). */
    'telemetry-modes': { type: 'string', default: 'embedded,distributed' },
    'telemetry-concurrency': { type: 'string', default: '1,16' },
    rounds: { type: 'string', default: '2' },
    /** Disk part: the closed loop's agents and measured seconds per run (bounded and unbounded, --rounds each), and the actions a person approves. */
    'disk-concurrency': { type: 'string', default: '16' },
    'disk-seconds': { type: 'string', default: '30' },
    'disk-approvals': { type: 'string', default: '500' },
    /** Policy part: evaluations measured per side (our engine, bare Cedar). */
    evaluations: { type: 'string', default: '100000' },
    /** Ledger part: single-event appends measured, and events in the ledger for the rebuild. */
    appends: { type: 'string', default: '5000' },
    'rebuild-events': { type: 'string', default: '100000' },
    /** Drive an already running embedded server (e.g. one started with --cpu-prof) instead of starting one. */
    address: { type: 'string' },
    /** Distributed and telemetry parts: write a V8 CPU profile of each server process to this folder (node --cpu-prof). */
    'cpu-prof': { type: 'string' },
  },
});
const seconds = Number(values.seconds);
const warmupSeconds = Number(values.warmup);
const levelsOf = (option: string, list: string) => {
  const parsed = list.split(',').map((v) => Number(v.trim()));
  if (parsed.some((l) => !Number.isInteger(l) || l < 1)) throw new Error(`--${option} must list positive integers, got ${list}`);
  return parsed;
};
const levels = levelsOf('concurrency', values.concurrency);
const telemetryLevels = levelsOf('telemetry-concurrency', values['telemetry-concurrency']);
const rounds = Number(values.rounds);
if (!Number.isInteger(rounds) || rounds < 1) throw new Error(`--rounds must be a positive integer, got ${values.rounds}`);
const connections = Number(values.connections);
const modes = values.mode.split(',').map((m) => m.trim()) as (Mode | 'telemetry' | 'ledger' | 'policy' | 'disk' | 'verify' | 'mcp' | 'replicas')[];
if (modes.some((m) => !['embedded', 'distributed', 'telemetry', 'ledger', 'policy', 'disk', 'verify', 'mcp', 'replicas'].includes(m))) {
  throw new Error(`--mode must list embedded, distributed, telemetry, ledger, policy, disk, verify, mcp and/or replicas, got ${values.mode}`);
}
const positive = (option: string, value: string) => {
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < 1) throw new Error(`--${option} must be a positive integer, got ${value}`);
  return parsed;
};
const diskConcurrency = positive('disk-concurrency', values['disk-concurrency']);
const diskSeconds = positive('disk-seconds', values['disk-seconds']);
const diskApprovals = positive('disk-approvals', values['disk-approvals']);
/** Disk part: exports in flight at once while bob approves them. */
const diskApprovalConcurrency = 8;
const telemetrySystems = values['telemetry-modes'].split(',').map((m) => m.trim()) as TelemetrySystem[];
if (telemetrySystems.some((m) => !['embedded', 'distributed'].includes(m))) {
  throw new Error(`--telemetry-modes must list embedded and/or distributed, got ${values['telemetry-modes']}`);
}
const log = (line: string) => process.stderr.write(`[bench] ${line}\n`);

const measure = (addresses: ServiceAddresses | readonly ServiceAddresses[], apiKey: string, label: string, cpuGroups: CpuGroup[] = []): Promise<Row[]> =>
  measureLevels({ addresses, apiKey, label, levels, seconds, warmupSeconds, connections, cpuGroups, log });

/** Kafka hops between RequestAction and the outcome reaching AwaitDecision in distributed mode. */
const distributedHops = [
  'intake -> decision: RequestAction command',
  'decision -> intake: command reply',
  'decision outbox -> policy evaluator: ActionRequested',
  'policy evaluator -> decision: PolicyEvaluated',
  'decision outbox -> intake: ActionApproved / ExecutionGrantIssued',
];


const table = (rows: Row[]) => [
  `| concurrent agents | throughput (actions/s) | p50 ms | p90 ms | p99 ms | max ms | completed | errors |`,
  `| --- | --- | --- | --- | --- | --- | --- | --- |`,
  ...rows.map(
    (r) =>
      `| ${r.concurrency} | ${r.throughputPerSecond} | ${r.latencyMs.p50} | ${r.latencyMs.p90} | ${r.latencyMs.p99} | ${r.latencyMs.max} | ${r.completed} | ${r.errors} |`,
  ),
  ...rows.filter((r) => r.firstError).map((r) => `\nFirst error at ${r.concurrency}: ${r.firstError}`),
];

/** Where each action's CPU went, by process, per load level. */
const cpuTable = (rows: Row[]) => {
  const names = Object.keys(rows[0]?.cpuMsPerAction ?? {});
  if (names.length === 0) return [];
  return [
    `CPU per completed action (ms, from /proc; "machine" is every process on the machine, and the busy share is of both cores):`,
    '',
    `| concurrent agents | ${names.join(' | ')} | machine busy |`,
    `| --- | ${names.map(() => '---').join(' | ')} | --- |`,
    ...rows.map((r) => `| ${r.concurrency} | ${names.map((n) => r.cpuMsPerAction?.[n] ?? '').join(' | ')} | ${Math.round((r.machineBusy ?? 0) * 100)}% |`),
    '',
  ];
};

const ratio = (value: number, floor: number) => (value / floor).toFixed(2);

async function main() {
  const directory = JSON.parse(readFileSync(join(repoRoot(), 'policies', 'demo', 'directory.json'), 'utf8')) as {
    agents: { id: string; apiKey?: string }[];
    humans: { id: string; apiKey?: string }[];
  };
  const apiKey = directory.agents.find((a) => a.id === 'agent-reporting')?.apiKey;
  if (!apiKey) throw new Error('agent-reporting has no demo key in policies/demo/directory.json');
  const approverKey = directory.humans.find((h) => h.id === 'bob')?.apiKey;
  if (modes.includes('disk') && !approverKey) throw new Error('bob has no demo key in policies/demo/directory.json');
  const date = new Date().toISOString();
  const machine = `${cpus().length} cores, ${(totalmem() / 2 ** 30).toFixed(0)} GiB`;
  const report: string[] = [
    `# Benchmark: auto-allowed actions, request to outcome`,
    '',
    `- date: ${date}`,
    `- machine: ${machine}; Node ${process.version}; the system and the load generator share the machine`,
    `- load: closed loop over ${connections} gRPC connections, ${seconds} s per level after ${warmupSeconds} s warm-up`,
    `- each action: RequestAction then AwaitDecision (request-to-outcome latency)`,
    '',
  ];
  const result: Record<string, unknown> = { scenario: 'auto-allowed actions: RequestAction + AwaitDecision, closed loop', date, node: process.version, machine, connections };

  if (modes.includes('embedded')) {
    process.stderr.write(values.address ? `[bench] driving ${values.address}\n` : `[bench] starting the embedded server ...\n`);
    const server = values.address ? undefined : await EmbeddedServer.start({ env: { LOG_LEVEL: 'warn' } });
    const address = values.address ?? server!.grpcAddress;
    try {
      const rows = await measure({ intake: address, decisions: address, audit: address }, apiKey, 'embedded');
      const met = rows.some((r) => r.throughputPerSecond >= 1000 && r.latencyMs.p99 < 10 && r.errors === 0);
      result['embedded'] = { target: { throughputPerSecond: 1000, p99Ms: 10 }, levels: rows };
      report.push(
        `## Embedded mode (one process, in-process bus)`,
        '',
        ...table(rows),
        '',
        `Target: at least 1000 actions/s with p99 under 10 ms at one load level. ${met ? 'Met' : 'NOT met'} in this run.`,
        '',
      );
    } finally {
      await server?.dispose();
    }
  }

  if (modes.includes('distributed')) {
    const brokers = process.env['KAFKA_BROKERS'];
    if (!brokers) throw new Error('distributed mode needs a broker: run `npm run bench` (it starts one) or set KAFKA_BROKERS');
    process.stderr.write(`[bench] starting the five services over Kafka at ${brokers} ...\n`);
    const profileDir = values['cpu-prof'];
    const system = await DistributedSystem.start({
      brokers,
      env: { LOG_LEVEL: 'warn', ...(profileDir ? { NODE_OPTIONS: `--cpu-prof --cpu-prof-dir=${profileDir}` } : {}) },
    });
    const cpuGroups: CpuGroup[] = [
      ...distributedServices.map((name) => ({ name, pids: () => [system.service(name).pid ?? -1] })),
      { name: 'load generator', pids: () => [process.pid] },
      { name: 'Kafka broker', comm: 'java' },
      { name: 'PostgreSQL', comm: 'postgres' },
    ];
    let rows: Row[];
    try {
      rows = await measure(system.addresses, apiKey, 'distributed', cpuGroups);
      // A graceful stop lets --cpu-prof write its profiles.
      if (profileDir) await system.stop();
    } finally {
      await system.dispose();
    }
    if (profileDir) process.stderr.write(`[bench] CPU profiles of the services in ${profileDir}\n`);
    process.stderr.write(`[bench] measuring the floor: one Kafka hop, closed loop, 1 sender ...\n`);
    const floor: KafkaFloor = await measureKafkaFloor({ brokers: brokers.split(','), concurrency: 1, log: (line) => process.stderr.write(`[bench] ${line}\n`) });
    const hops = distributedHops.length;
    const ratios = rows.map((r) => ({
      concurrency: r.concurrency,
      p50: Number(ratio(r.latencyMs.p50, floor.p50Ms * hops)),
      p99: Number(ratio(r.latencyMs.p99, floor.p99Ms * hops)),
    }));
    const met = rows.some((r, i) => r.throughputPerSecond >= 500 && ratios[i]!.p99 <= 3 && r.errors === 0);
    result['distributed'] = { target: { throughputPerSecond: 500, p99WithinFloorTimesHops: 3 }, floor, hops: distributedHops, levels: rows, ratios };
    report.push(
      `## Distributed mode (five processes over Kafka)`,
      '',
      ...table(rows),
      '',
      ...cpuTable(rows),
      `Floor, measured in the same run: one Kafka hop (${floor.method}), ${floor.messages} messages: p50 ${floor.p50Ms} ms, p99 ${floor.p99Ms} ms.`,
      `Hops from request to outcome: ${hops} (${distributedHops.join('; ')}).`,
      '',
      `| concurrent agents | p50 / (floor p50 x ${hops}) | p99 / (floor p99 x ${hops}) |`,
      `| --- | --- | --- |`,
      ...ratios.map((r) => `| ${r.concurrency} | ${r.p50} | ${r.p99} |`),
      '',
      `Target: at least 500 actions/s with p99 within 3x (floor x hops) at one load level. ${met ? 'Met' : 'NOT met'} in this run.`,
      '',
    );
  }

  if (modes.includes('replicas')) {
    const brokers = process.env['KAFKA_BROKERS'];
    if (!brokers) throw new Error('the replicas part needs a broker: run `npm run bench` (it starts one) or set KAFKA_BROKERS');
    const measured: { replicas: number; rows: Row[] }[] = [];
    // Alternating, so that the machine's drift over the run weighs on both alike.
    for (let round = 0; round < rounds; round++) {
      for (const replicas of [1, 2]) {
        log(`replicas: round ${round + 1} of ${rounds}: starting ${replicas} replica(s) of every service over Kafka at ${brokers} ...`);
        const system = await DistributedSystem.start({ brokers, replicas, env: { LOG_LEVEL: 'warn' } });
        try {
          const addresses = Array.from({ length: replicas }, (_, i) => system.addressesOf(i + 1));
          measured.push({ replicas, rows: await measure(addresses, apiKey, `${replicas} replica(s), round ${round + 1}`) });
        } finally {
          await system.dispose();
        }
      }
    }
    const best = (replicas: number, concurrency: number) =>
      Math.max(...measured.filter((m) => m.replicas === replicas).map((m) => m.rows.find((r) => r.concurrency === concurrency)?.throughputPerSecond ?? 0));
    const summary = levels.map((concurrency) => ({ concurrency, one: best(1, concurrency), two: best(2, concurrency) }));
    result['replicas'] = { rounds, measured, summary };
    report.push(
      `## Distributed mode: one against two replicas of every service (this machine)`,
      '',
      `Five processes, then ten (each replica with a data directory of its own), on the same broker and PostgreSQL; the load's connections`,
      `spread over the intakes. ${rounds} alternating round(s) each; the best throughput of the rounds per level:`,
      '',
      `| concurrent agents | 1 replica (actions/s) | 2 replicas (actions/s) | 2 / 1 |`,
      `| --- | --- | --- | --- |`,
      ...summary.map((s) => `| ${s.concurrency} | ${s.one} | ${s.two} | ${s.one ? (s.two / s.one).toFixed(2) : '-'} |`),
      '',
      ...measured.flatMap((m, i) => [`Round ${Math.floor(i / 2) + 1}, ${m.replicas} replica(s):`, '', ...table(m.rows), '']),
    );
  }

  if (modes.includes('telemetry')) {
    const figures = await benchTelemetry({
      systems: telemetrySystems,
      levels: telemetryLevels,
      rounds,
      seconds,
      warmupSeconds,
      connections,
      apiKey,
      brokers: process.env['KAFKA_BROKERS'],
      cpuProfileDir: values['cpu-prof'],
      log,
    });
    result['telemetry'] = figures;
    report.push(...telemetryReport(figures, { rounds, seconds, warmupSeconds }));
    if (values['cpu-prof']) log(`CPU profiles of the telemetry runs in ${values['cpu-prof']}`);
  }

  if (modes.includes('ledger')) {
    const figures = await benchLedgers({
      appends: Number(values.appends),
      rebuildEvents: Number(values['rebuild-events']),
      log: (line) => process.stderr.write(`[bench] ${line}\n`),
    });
    result['ledger'] = { target: { singleAppendsPerSecond: 5000, rebuild100kSeconds: 30 }, adapters: figures };
    report.push(
      `## Ledger adapters (each on a fresh store, from this process)`,
      '',
      `| adapter | single-event appends/s, 1 appender | single-event appends/s, 16 appenders | batched appends (9 events), events/s | read all, events/s | projector rebuild |`,
      `| --- | --- | --- | --- | --- | --- |`,
      ...figures.map(
        (f) =>
          `| ${f.adapter} | ${f.singleAppendsPerSecond} | ${f.concurrentSingleAppendsPerSecond} | ${f.batchedEventsPerSecond} | ${f.readAllEventsPerSecond} | ${f.rebuild.events} events into ${f.rebuild.into} in ${f.rebuild.seconds} s (${f.rebuild.eventsPerSecond}/s) |`,
      ),
      '',
      `Targets: at least 5,000 single-event appends/s (judged with 16 appenders) and a rebuild of 100,000 events in under 30 s. ` +
        figures.map((f) => `${f.adapter}: ${f.concurrentSingleAppendsPerSecond >= 5000 && f.rebuild.seconds < 30 && f.rebuild.events >= 100_000 ? 'met' : 'NOT met'}`).join('; ') +
        '.',
      '',
    );
  }

  if (modes.includes('policy')) {
    const sets = benchPolicies({ evaluations: Number(values.evaluations), log: (line) => process.stderr.write(`[bench] ${line}\n`) });
    const met = (f: (typeof sets)[number]) => f.engine.perSecond >= 20_000 && f.overhead <= 1.5;
    result['policy'] = { target: { evaluationsPerSecond: 20_000, overheadAtMost: 1.5 }, sets };
    report.push(
      `## Policy evaluation (one thread, pre-parsed policy set)`,
      '',
      `Each set is evaluated with its requests in turn, ${sets[0]?.evaluations ?? 0} evaluations per side; the bare call is statefulIsAuthorized on the same requests, already built.`,
      '',
      `| policy set | requests (outcomes) | our engine evaluations/s | µs | bare Cedar evaluations/s | µs | overhead |`,
      `| --- | --- | --- | --- | --- | --- | --- |`,
      ...sets.map(
        (f) =>
          `| ${f.policySet} | ${f.requests} (${Object.entries(f.outcomes).map(([o, n]) => `${o} ${n}`).join(', ')}) | ${f.engine.perSecond} | ${f.engine.microsPerEvaluation} | ${f.bareCedar.perSecond} | ${f.bareCedar.microsPerEvaluation} | ${f.overhead}x |`,
      ),
      '',
      `Our engine does the request mapping, the Cedar call, and reads the outcome, requirement and reasons. ` +
        `Target: at least 20,000 evaluations/s on one core with overhead at most 1.5x. ` +
        sets.map((f) => `${f.policySet.split(' ')[0]}: ${met(f) ? 'met' : 'NOT met'}`).join('; ') +
        ' in this run.',
      '',
    );
  }

  if (modes.includes('disk')) {
    const options = {
      concurrency: diskConcurrency,
      seconds: diskSeconds,
      warmupSeconds,
      rounds,
      connections,
      approvals: diskApprovals,
      approvalConcurrency: diskApprovalConcurrency,
      agentKey: apiKey,
      approverKey: approverKey!,
      log,
    };
    const figures = await benchDisk(options);
    result['disk'] = figures;
    report.push(...diskReport(figures, options));
  }

  if (modes.includes('verify')) {
    const options = {
      events: positive('verify-events', values['verify-events']),
      concurrency: positive('verify-concurrency', values['verify-concurrency']),
      seconds,
      warmupSeconds,
      rounds: positive('verify-rounds', values['verify-rounds']),
      connections,
      apiKey,
      log,
    };
    const figures = await benchVerify(options);
    result['verify'] = figures;
    report.push(...verifyReport(figures, options));
  }

  if (modes.includes('mcp')) {
    const agentKey = directory.agents.find((a) => a.id === 'agent-mcp')?.apiKey;
    if (!agentKey) throw new Error('agent-mcp has no demo key in policies/demo/directory.json');
    const figures = await benchMcp({ calls: positive('mcp-calls', values['mcp-calls']), rounds: positive('mcp-rounds', values['mcp-rounds']), warmup: 200, agentKey, log });
    result['mcp'] = figures;
    report.push(...mcpReport(figures));
  }

  const text = report.join('\n');
  const dir = join(repoRoot(), 'bench', 'results');
  mkdirSync(dir, { recursive: true });
  const stamp = date.replace(/[:.]/g, '-');
  writeFileSync(join(dir, `auto-allow-${stamp}.md`), text);
  writeFileSync(join(dir, `auto-allow-${stamp}.json`), JSON.stringify(result, null, 2));
  process.stdout.write(text);
  process.stderr.write(`[bench] report written to bench/results/auto-allow-${stamp}.md\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`[bench] failed: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});

import { join } from 'node:path';
import type { ServiceAddresses } from '@approvals/client';
import { DistributedSystem, EmbeddedServer, distributedServices } from '@approvals/testing';
import type { Row } from './closed-loop';
import { measure } from './closed-loop';
import type { CpuGroup } from './cpu-usage';
import { childPids } from './cpu-usage';
import type { ExportCount, ExportCounts, OtlpSink } from './otlp-sink';
import { exportsBetween, startOtlpSink } from './otlp-sink';
import { median } from './stats';

// What tracing and metrics cost: the same system under the same load with telemetry off
// (OTEL_SDK_DISABLED) and with everything on and every trace sampled, exporting to a sink in this
// process. The settings alternate off, on, on, off, ... each on a fresh system, so a drift in
// the speed of the shared machine falls on both alike; each setting's figure is the median of its
// rounds.

export type TelemetrySetting = 'off' | 'on';
export type TelemetrySystem = 'embedded' | 'distributed';

/** The issue's budget: throughput with everything sampled at most 15% below telemetry off. */
export const maxLossPercent = 15;

export interface TelemetryBenchOptions {
  systems: readonly TelemetrySystem[];
  levels: readonly number[];
  rounds: number;
  seconds: number;
  warmupSeconds: number;
  connections: number;
  apiKey: string;
  /** Kafka for the distributed system. */
  brokers: string | undefined;
  /** Write a V8 CPU profile of every server process, one folder per run, under this folder. */
  cpuProfileDir?: string | undefined;
  log: (line: string) => void;
}

/** One setting's figures at one load level, over its rounds. */
export interface SettingFigures {
  throughputPerRound: number[];
  medianPerSecond: number;
  bestPerSecond: number;
  /** Medians over the rounds of each round's percentile. */
  p50Ms: number;
  p99Ms: number;
  errors: number;
  firstError: string | undefined;
  /** The system's processes, CPU ms per completed action (median over the rounds). */
  systemCpuMsPerAction: number;
  /** This process (the load and the sink), CPU ms per completed action (median over the rounds). */
  loadGeneratorCpuMsPerAction: number;
  /** Trace exports the sink received while the level was measured, summed over the rounds. */
  traceExports: ExportCount;
  traceBytesPerAction: number;
}

/** Off against on for one system at one load level. */
export interface TelemetryComparison {
  mode: TelemetrySystem;
  concurrency: number;
  off: SettingFigures;
  on: SettingFigures;
  /** (off - on) / off of the median throughputs, in percent. */
  lossPercent: number;
  /** The same of the best rounds. */
  bestLossPercent: number;
}

/** Everything one system-and-setting run sent to the sink, start-up and shutdown flush included. */
export interface RunExports {
  mode: TelemetrySystem;
  setting: TelemetrySetting;
  round: number;
  exports: ExportCounts;
}

export interface TelemetryFigures {
  settings: Record<TelemetrySetting, Record<string, string>>;
  comparisons: TelemetryComparison[];
  runs: RunExports[];
  target: { maxLossPercent: number };
  met: boolean;
}

interface Run {
  mode: TelemetrySystem;
  setting: TelemetrySetting;
  rows: Row[];
  /** Sink counts while each level was measured. */
  byLevel: Map<number, ExportCounts>;
}

interface SystemUnderTest {
  addresses: ServiceAddresses;
  cpu: CpuGroup;
  stop(): Promise<unknown>;
  dispose(): Promise<void>;
}

const sinkEndpoint = '<sink>';

const settingsEnv = (endpoint: string): Record<TelemetrySetting, Record<string, string>> => ({
  off: { OTEL_SDK_DISABLED: 'true' },
  on: {
    OTEL_SDK_DISABLED: 'false',
    OTEL_EXPORTER_OTLP_ENDPOINT: endpoint,
    OTEL_TRACES_SAMPLER: 'always_on',
    // Metrics pushed every 10 s (the SDK's default is 60 s), so pushes fall inside every measured level.
    OTEL_METRIC_EXPORT_INTERVAL: '10000',
  },
});


const round2 = (value: number) => Number(value.toFixed(2));
const lossOf = (off: number, on: number) => Number((((off - on) / off) * 100).toFixed(1));

async function startSystem(mode: TelemetrySystem, env: Record<string, string>, brokers: string | undefined): Promise<SystemUnderTest> {
  if (mode === 'embedded') {
    const server = await EmbeddedServer.start({ env });
    const address = server.grpcAddress;
    return {
      addresses: { intake: address, decisions: address, audit: address },
      cpu: { name: 'system', pids: () => childPids(process.pid) },
      stop: () => server.stop(),
      dispose: () => server.dispose(),
    };
  }
  if (!brokers) throw new Error('the telemetry part in distributed mode needs a broker: run `npm run bench` (it starts one) or set KAFKA_BROKERS');
  const system = await DistributedSystem.start({ brokers, env });
  return {
    addresses: system.addresses,
    cpu: { name: 'system', pids: () => distributedServices.map((name) => system.service(name).pid ?? -1) },
    stop: () => system.stop(),
    dispose: () => system.dispose(),
  };
}

const describeExports = (count: ExportCount) => `${count.requests} trace exports, ${(count.bytes / 1024).toFixed(0)} KiB`;

async function runOnce(options: TelemetryBenchOptions, sink: OtlpSink, mode: TelemetrySystem, setting: TelemetrySetting, round: number): Promise<{ run: Run; exports: ExportCounts }> {
  const label = `telemetry ${setting}, ${mode}, round ${round}`;
  const profile: Record<string, string> = options.cpuProfileDir ? { NODE_OPTIONS: `--cpu-prof --cpu-prof-dir=${join(options.cpuProfileDir, `${mode}-${setting}-${round}`)}` } : {};
  options.log(`${label}: starting the ${mode === 'embedded' ? 'embedded server' : 'five services'} ...`);
  const atStart = sink.counts();
  const system = await startSystem(mode, { LOG_LEVEL: 'warn', ...settingsEnv(sink.endpoint)[setting], ...profile }, options.brokers);
  const byLevel = new Map<number, ExportCounts>();
  let rows: Row[];
  try {
    rows = await measure({
      addresses: system.addresses,
      apiKey: options.apiKey,
      label,
      levels: options.levels,
      seconds: options.seconds,
      warmupSeconds: options.warmupSeconds,
      connections: options.connections,
      cpuGroups: [system.cpu, { name: 'load generator', pids: () => [process.pid] }],
      onLevel: (concurrency) => {
        const before = sink.counts();
        return (row) => {
          const exports = exportsBetween(before, sink.counts());
          byLevel.set(concurrency, exports);
          options.log(
            `${label}: ${concurrency} agents: ${row.throughputPerSecond} actions/s, p50 ${row.latencyMs.p50} ms, p99 ${row.latencyMs.p99} ms, ` +
              `CPU ms/action ${row.cpuMsPerAction?.['system'] ?? '?'} system, ${row.cpuMsPerAction?.['load generator'] ?? '?'} load generator, ${describeExports(exports.traces)}${row.errors > 0 ? `, ${row.errors} errors` : ''}`,
          );
        };
      },
      log: options.log,
    });
    // A graceful stop flushes the spans and metrics still buffered (and writes the CPU profiles).
    await system.stop();
  } finally {
    await system.dispose();
  }
  const exports = exportsBetween(atStart, sink.counts());
  const measured = [...byLevel.values()].reduce((sum, e) => sum + e.traces.requests, 0);
  if (setting === 'on' && (measured === 0 || exports.metrics.requests === 0)) {
    throw new Error(
      `${label}: the sink received ${measured} trace exports while measuring and ${exports.metrics.requests} metric exports in all; ` +
        `with telemetry on both must arrive, or the comparison is meaningless`,
    );
  }
  if (setting === 'off' && exports.traces.requests + exports.metrics.requests + exports.logs.requests > 0) {
    throw new Error(`${label}: the sink received exports with OTEL_SDK_DISABLED=true, so "off" is not off`);
  }
  return { run: { mode, setting, rows, byLevel }, exports };
}

function figuresOf(runs: Run[], concurrency: number): SettingFigures {
  const rows = runs.map((r) => r.rows.find((row) => row.concurrency === concurrency)!);
  const traces = runs.reduce(
    (sum, r) => {
      const t = r.byLevel.get(concurrency)?.traces ?? { requests: 0, bytes: 0 };
      return { requests: sum.requests + t.requests, bytes: sum.bytes + t.bytes };
    },
    { requests: 0, bytes: 0 },
  );
  const completed = rows.reduce((sum, r) => sum + r.completed, 0);
  const throughput = rows.map((r) => r.throughputPerSecond);
  return {
    throughputPerRound: throughput,
    medianPerSecond: Math.round(median(throughput)),
    bestPerSecond: Math.max(...throughput),
    p50Ms: round2(median(rows.map((r) => r.latencyMs.p50))),
    p99Ms: round2(median(rows.map((r) => r.latencyMs.p99))),
    errors: rows.reduce((sum, r) => sum + r.errors, 0),
    firstError: rows.find((r) => r.firstError)?.firstError,
    systemCpuMsPerAction: round2(median(rows.map((r) => r.cpuMsPerAction?.['system'] ?? Number.NaN))),
    loadGeneratorCpuMsPerAction: round2(median(rows.map((r) => r.cpuMsPerAction?.['load generator'] ?? Number.NaN))),
    traceExports: traces,
    traceBytesPerAction: Math.round(traces.bytes / Math.max(1, completed)),
  };
}

/**
 * Measures each system with telemetry off and on, alternating, `rounds` times each, and compares
 * the throughput of the two settings level by level. Throws when "on" exported no traces or "off"
 * exported anything.
 */
export async function benchTelemetry(options: TelemetryBenchOptions): Promise<TelemetryFigures> {
  // The servers inherit this process's environment: an OTEL_* variable set here would blur the two settings.
  const inherited = Object.entries(process.env).filter(([name]) => name.startsWith('OTEL_'));
  for (const [name] of inherited) delete process.env[name];
  const sink = await startOtlpSink();
  options.log(`telemetry: OTLP sink on ${sink.endpoint}; ${options.rounds} round(s) per setting, alternating off and on`);
  const runs: Run[] = [];
  const exports: RunExports[] = [];
  try {
    for (const mode of options.systems) {
      for (let round = 1; round <= options.rounds; round += 1) {
        const order: TelemetrySetting[] = round % 2 === 1 ? ['off', 'on'] : ['on', 'off'];
        for (const setting of order) {
          const result = await runOnce(options, sink, mode, setting, round);
          runs.push(result.run);
          exports.push({ mode, setting, round, exports: result.exports });
        }
      }
    }
  } finally {
    await sink.close();
    for (const [name, value] of inherited) process.env[name] = value;
  }
  const comparisons = options.systems.flatMap((mode) =>
    options.levels.map((concurrency): TelemetryComparison => {
      const of = (setting: TelemetrySetting) => figuresOf(runs.filter((r) => r.mode === mode && r.setting === setting), concurrency);
      const [off, on] = [of('off'), of('on')];
      return {
        mode,
        concurrency,
        off,
        on,
        lossPercent: lossOf(off.medianPerSecond, on.medianPerSecond),
        bestLossPercent: lossOf(off.bestPerSecond, on.bestPerSecond),
      };
    }),
  );
  return {
    settings: settingsEnv(sinkEndpoint),
    comparisons,
    runs: exports,
    target: { maxLossPercent },
    met: comparisons.every((c) => c.lossPercent <= maxLossPercent && c.on.errors === 0),
  };
}

const kib = (bytes: number) => (bytes / 1024).toFixed(0);
const envText = (env: Record<string, string>) =>
  Object.entries(env)
    .map(([name, value]) => `${name}=${value}`)
    .join(' ');

/** The report's section on telemetry: the comparison table, the settings, and the verdict. */
export function telemetryReport(figures: TelemetryFigures, options: Pick<TelemetryBenchOptions, 'rounds' | 'seconds' | 'warmupSeconds'>): string[] {
  const over = figures.comparisons.filter((c) => c.lossPercent > maxLossPercent);
  const errors = figures.comparisons.filter((c) => c.off.errors + c.on.errors > 0);
  return [
    `## Telemetry on vs off`,
    '',
    `Each system is measured ${options.rounds === 1 ? 'once' : `${options.rounds} times`} per setting, alternating (off, on, on, off, ...), each time freshly started, ` +
      `with ${options.warmupSeconds} s warm-up and ${options.seconds} s per level; figures are medians over the rounds (best round in brackets).`,
    '',
    `- off: \`${envText(figures.settings.off)}\``,
    `- on: \`${envText(figures.settings.on)}\` (OTLP over http/protobuf to a sink in the load generator that counts and discards; Prometheus on /metrics as always)`,
    '',
    `| mode | concurrent agents | actions/s off | actions/s on | loss | p50 ms off / on | p99 ms off / on | system CPU ms/action off / on | load generator CPU ms/action off / on | trace exports while measured (requests, KiB) | trace bytes/action |`,
    `| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |`,
    ...figures.comparisons.map(
      (c) =>
        `| ${c.mode} | ${c.concurrency} | ${c.off.medianPerSecond} (${c.off.bestPerSecond}) | ${c.on.medianPerSecond} (${c.on.bestPerSecond}) | ` +
        `${c.lossPercent}% (${c.bestLossPercent}%) | ${c.off.p50Ms} / ${c.on.p50Ms} | ${c.off.p99Ms} / ${c.on.p99Ms} | ` +
        `${c.off.systemCpuMsPerAction} / ${c.on.systemCpuMsPerAction} | ${c.off.loadGeneratorCpuMsPerAction} / ${c.on.loadGeneratorCpuMsPerAction} | ${c.on.traceExports.requests}, ${kib(c.on.traceExports.bytes)} | ${c.on.traceBytesPerAction} |`,
    ),
    '',
    `All the sink received per run, start-up and the shutdown flush included:`,
    '',
    `| mode | setting | round | trace exports (requests, KiB) | metric exports (requests, KiB) |`,
    `| --- | --- | --- | --- | --- |`,
    ...figures.runs.map(
      (r) =>
        `| ${r.mode} | ${r.setting} | ${r.round} | ${r.exports.traces.requests}, ${kib(r.exports.traces.bytes)} | ${r.exports.metrics.requests}, ${kib(r.exports.metrics.bytes)} |`,
    ),
    '',
    ...errors.map((c) => `Errors at ${c.mode} ${c.concurrency}: off ${c.off.errors}, on ${c.on.errors}; first: ${c.on.firstError ?? c.off.firstError}`),
    ...(errors.length > 0 ? [''] : []),
    `Target: at most ${maxLossPercent}% throughput loss with everything sampled, at every level. ` +
      (figures.met
        ? 'Met in this run.'
        : `NOT met in this run${over.length > 0 ? ` (${over.map((c) => `${c.mode} at ${c.concurrency}: ${c.lossPercent}%`).join('; ')})` : ' (errors with telemetry on)'}.`),
    '',
  ];
}

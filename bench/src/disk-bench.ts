import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import type { ApprovalsClient } from '@approvals/client';
import { createApprovalsClient, unary } from '@approvals/client';
import { EmbeddedServer } from '@approvals/testing';
import type { Row } from './closed-loop';
import { measure } from './closed-loop';
import { childPids } from './cpu-usage';
import { median, percentile } from './stats';

// What the bound on the SQLite write-ahead logs costs, and what the embedded server keeps on disk.
// The same closed loop of auto-allowed actions runs with the default bound (the checkpointer
// truncates a log once it holds half of APPROVALS_SQLITE_WAL_MAX_MB, holding writers back briefly)
// and with the bound effectively off (PASSIVE checkpoints only: the logs grow without limit),
// alternating bounded, unbounded, unbounded, bounded, ... each on a fresh server and data
// directory; the largest size of each log is sampled every 25 ms. After each run the server is
// stopped gracefully and every file left in its data directory is summed and divided by the actions
// the ledger holds. A last phase on a fresh bounded server has a person approve every action, to
// price an action that waits for approval.

export type WalSetting = 'bounded' | 'unbounded';

/** APPROVALS_SQLITE_WAL_MAX_MB of each setting: the default, and so large it is never reached. */
export const walMaxMb: Record<WalSetting, number> = { bounded: 64, unbounded: 1_000_000 };

/** The three SQLite files of the embedded server, each with its write-ahead log `<file>-wal`. */
export const sqliteFiles = ['ledger.sqlite', 'audit-read-model.sqlite', 'notifier.sqlite'] as const;
type SqliteFile = (typeof sqliteFiles)[number];

const sampleEveryMs = 25;

export interface DiskBenchOptions {
  /** Concurrent agents of the closed loop. */
  concurrency: number;
  seconds: number;
  warmupSeconds: number;
  /** Runs per setting, alternating bounded and unbounded. */
  rounds: number;
  connections: number;
  /** Actions approved by a person in the last phase, and how many are in flight at once. */
  approvals: number;
  approvalConcurrency: number;
  /** agent-reporting's key (asks) and bob's (a data owner, approves). */
  agentKey: string;
  approverKey: string;
  log: (line: string) => void;
}

/** Bytes left in the data directory after a graceful stop, and per action. */
export interface DiskUse {
  /** Actions in the ledger (ActionRequested events): every action the server took, warm-up included. */
  actions: number;
  /** Each file of the data directory (path relative to it) and its size in bytes. */
  files: Record<string, number>;
  totalBytes: number;
  bytesPerAction: Record<string, number>;
  totalBytesPerAction: number;
  /** Decimal GB (10^9 bytes) a million such actions would take. */
  gbPerMillionActions: number;
}

export interface DiskRun {
  setting: WalSetting;
  round: number;
  row: Row;
  /** The largest size each write-ahead log reached while the server ran, in bytes. */
  largestWalBytes: Record<SqliteFile, number>;
  /** Server warnings that a log was over its bound and could not be truncated. */
  overBoundWarnings: number;
  /** The server's CPU ms per measured action. */
  serverCpuMsPerAction: number;
  /** Share of the machine's cores busy with processes other than the server and this one while measuring (a shared machine's noise). */
  othersBusy: number;
  disk: DiskUse;
}

export interface SettingSummary {
  walMaxMb: number;
  /** Medians over the rounds. */
  throughputPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  serverCpuMsPerAction: number;
  errors: number;
  firstError: string | undefined;
  /** The largest size each log reached in any round. */
  largestWalBytes: Record<SqliteFile, number>;
  /** Whether a log went past the bound (only meaningful when bounded). */
  boundExceeded: boolean;
}

export interface ApprovalPhase {
  requested: number;
  approved: number;
  errors: number;
  firstError: string | undefined;
  seconds: number;
  /** Request to approved outcome, in ms (nearest rank). */
  latencyMs: { p50: number; p99: number; max: number };
  /** Votes tried again (the action was not awaiting approval yet, or the call failed). */
  voteRetries: number;
  largestWalBytes: Record<SqliteFile, number>;
  disk: DiskUse;
}

export interface DiskFigures {
  concurrency: number;
  settings: Record<WalSetting, SettingSummary>;
  /** p99 bounded / p99 unbounded, and throughput bounded / unbounded (medians). */
  p99Ratio: number;
  throughputRatio: number;
  runs: DiskRun[];
  /** Disk per auto-allowed action: the median over the bounded rounds of each figure. */
  autoAllowed: DiskUse;
  approvals: ApprovalPhase;
}

const round2 = (value: number) => Number(value.toFixed(2));
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

const sizeOf = (path: string) => {
  try {
    return statSync(path).size;
  } catch {
    return 0;
  }
};

/** Samples the size of each write-ahead log every 25 ms and keeps the largest; `stop` returns them. */
function watchWals(dataDir: string): { stop(): Record<SqliteFile, number> } {
  const largest = Object.fromEntries(sqliteFiles.map((file) => [file, 0])) as Record<SqliteFile, number>;
  const sample = () => {
    for (const file of sqliteFiles) largest[file] = Math.max(largest[file], sizeOf(join(dataDir, `${file}-wal`)));
  };
  sample();
  const timer = setInterval(sample, sampleEveryMs);
  return {
    stop: () => {
      clearInterval(timer);
      sample();
      return { ...largest };
    },
  };
}

/** Every file under `dir` (recursively) and its size. */
function filesIn(dir: string, root = dir): Record<string, number> {
  const files: Record<string, number> = {};
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) Object.assign(files, filesIn(path, root));
    else if (entry.isFile()) files[relative(root, path)] = sizeOf(path);
  }
  return files;
}

/** Actions the ledger holds: its ActionRequested events. */
function actionsInLedger(dataDir: string): number {
  const db = new DatabaseSync(join(dataDir, 'ledger.sqlite'));
  try {
    const row = db.prepare(`SELECT COUNT(*) AS n FROM events WHERE type = 'ActionRequested'`).get() as { n: number | bigint };
    return Number(row.n);
  } finally {
    db.close();
  }
}

/**
 * The data directory of a server stopped gracefully: every file's size (taken before anything
 * opens the ledger again), divided by the number of actions in the ledger.
 */
function diskUse(dataDir: string): DiskUse {
  const files = filesIn(dataDir);
  const actions = actionsInLedger(dataDir);
  const totalBytes = Object.values(files).reduce((sum, bytes) => sum + bytes, 0);
  const per = (bytes: number) => Math.round(bytes / Math.max(1, actions));
  return {
    actions,
    files,
    totalBytes,
    bytesPerAction: Object.fromEntries(Object.entries(files).map(([file, bytes]) => [file, per(bytes)])),
    totalBytesPerAction: per(totalBytes),
    gbPerMillionActions: round2((totalBytes / Math.max(1, actions)) * 1e6 / 1e9),
  };
}

/** The median of each figure over several runs' disk use (the files of all of them). */
function medianDiskUse(uses: DiskUse[]): DiskUse {
  const names = [...new Set(uses.flatMap((u) => Object.keys(u.files)))].sort();
  return {
    actions: Math.round(median(uses.map((u) => u.actions))),
    files: Object.fromEntries(names.map((name) => [name, Math.round(median(uses.map((u) => u.files[name] ?? 0)))])),
    totalBytes: Math.round(median(uses.map((u) => u.totalBytes))),
    bytesPerAction: Object.fromEntries(names.map((name) => [name, Math.round(median(uses.map((u) => u.bytesPerAction[name] ?? 0)))])),
    totalBytesPerAction: Math.round(median(uses.map((u) => u.totalBytesPerAction))),
    gbPerMillionActions: round2(median(uses.map((u) => u.gbPerMillionActions))),
  };
}

const overBound = (logs: string) => logs.split('\n').filter((line) => line.includes('is over its bound')).length;

async function runOnce(options: DiskBenchOptions, setting: WalSetting, round: number): Promise<DiskRun> {
  const label = `disk ${setting}, round ${round}`;
  options.log(`${label}: starting the embedded server (APPROVALS_SQLITE_WAL_MAX_MB=${walMaxMb[setting]}) ...`);
  const server = await EmbeddedServer.start({ env: { LOG_LEVEL: 'warn', APPROVALS_SQLITE_WAL_MAX_MB: String(walMaxMb[setting]) } });
  try {
    const wals = watchWals(server.dataDir);
    let rows: Row[];
    let largestWalBytes: Record<SqliteFile, number>;
    try {
      const address = server.grpcAddress;
      rows = await measure({
        addresses: { intake: address, decisions: address, audit: address },
        apiKey: options.agentKey,
        label,
        levels: [options.concurrency],
        seconds: options.seconds,
        warmupSeconds: options.warmupSeconds,
        connections: options.connections,
        cpuGroups: [
          { name: 'server', pids: () => childPids(process.pid) },
          { name: 'load generator', pids: () => [process.pid] },
        ],
        log: options.log,
      });
    } finally {
      largestWalBytes = wals.stop();
    }
    const row = rows[0]!;
    const cpu = row.cpuMsPerAction ?? {};
    const serverCpuMsPerAction = cpu['server'] ?? Number.NaN;
    const machine = cpu['machine'] ?? 0;
    const othersBusy = machine > 0 ? round2(((row.machineBusy ?? 0) * Math.max(0, machine - serverCpuMsPerAction - (cpu['load generator'] ?? 0))) / machine) : 0;
    await server.stop();
    const overBoundWarnings = overBound(server.logs);
    const disk = diskUse(server.dataDir);
    options.log(
      `${label}: ${row.throughputPerSecond} actions/s, p50 ${row.latencyMs.p50} ms, p99 ${row.latencyMs.p99} ms, max ${row.latencyMs.max} ms` +
        `${row.errors > 0 ? `, ${row.errors} errors` : ''}, server CPU ${serverCpuMsPerAction} ms/action, other processes ${Math.round(othersBusy * 100)}% of the cores; largest logs ${sqliteFiles.map((f) => `${f} ${mib(largestWalBytes[f])} MiB`).join(', ')}; ` +
        `${disk.actions} actions, ${mib(disk.totalBytes)} MiB on disk after the stop, ${disk.totalBytesPerAction} B/action`,
    );
    return { setting, round, row, largestWalBytes, overBoundWarnings, serverCpuMsPerAction, othersBusy, disk };
  } finally {
    await server.dispose();
  }
}

/** Asks for one export, has bob approve it once it awaits approval, and waits for the approved outcome. */
async function approveOne(agent: ApprovalsClient, approver: ApprovalsClient, n: number, counters: { voteRetries: number }): Promise<number> {
  const started = process.hrtime.bigint();
  const created = await unary(agent.intake, 'RequestAction', {
    model: 'bench-model',
    action: 'db.export',
    resource: { kind: 'dataset', id: 'customers' },
    environment: 'prod',
    parametersJson: '{"rows":5000}',
    justification: 'benchmark: disk per approved action',
    idempotencyKey: `bench-disk-${process.pid}-${n}-${Date.now()}`,
  });
  const deadline = Date.now() + 30_000;
  // The policy runs right after the request: wait until the action awaits approval.
  let status: string = created.status;
  while (status !== 'AWAITING_APPROVAL') {
    if (status !== 'PENDING_POLICY') throw new Error(`action ${created.actionId}: unexpected status ${status} before the vote`);
    if (Date.now() > deadline) throw new Error(`action ${created.actionId}: still ${status} after 30 s`);
    await sleep(10);
    status = (await unary(agent.intake, 'GetAction', { actionId: created.actionId })).status;
  }
  for (;;) {
    const voted = await unary(approver.decisions, 'CastVote', { actionId: created.actionId, decision: 'APPROVE' }).then(
      (response) => response.accepted || response.rejectionReason === 'DUPLICATE_VOTE',
      () => false,
    );
    if (voted) break;
    if (Date.now() > deadline) throw new Error(`action ${created.actionId}: bob's vote was not accepted within 30 s`);
    counters.voteRetries += 1;
    await sleep(20);
  }
  const outcome = await unary(agent.intake, 'AwaitDecision', { actionId: created.actionId, timeoutMs: 10_000 });
  if (outcome.action?.status !== 'APPROVED') throw new Error(`action ${created.actionId}: outcome ${outcome.action?.status ?? 'none'} after the vote`);
  return Number(process.hrtime.bigint() - started) / 1e6;
}

async function approvalPhase(options: DiskBenchOptions): Promise<ApprovalPhase> {
  const label = 'disk approvals';
  options.log(
    `${label}: starting the embedded server (APPROVALS_SQLITE_WAL_MAX_MB=${walMaxMb.bounded}); ${options.approvals} exports approved by bob, ${options.approvalConcurrency} at a time ...`,
  );
  const server = await EmbeddedServer.start({ env: { LOG_LEVEL: 'warn', APPROVALS_SQLITE_WAL_MAX_MB: String(walMaxMb.bounded) } });
  try {
    const wals = watchWals(server.dataDir);
    const agent = createApprovalsClient({ address: server.grpcAddress, apiKey: options.agentKey, deadlineMs: 20_000 });
    const approver = createApprovalsClient({ address: server.grpcAddress, apiKey: options.approverKey, deadlineMs: 20_000 });
    const latencies: number[] = [];
    const errors: string[] = [];
    const counters = { voteRetries: 0 };
    let next = 0;
    const started = Date.now();
    let largestWalBytes: Record<SqliteFile, number>;
    try {
      await Promise.all(
        Array.from({ length: options.approvalConcurrency }, async () => {
          while (next < options.approvals) {
            next += 1;
            try {
              latencies.push(await approveOne(agent, approver, next, counters));
            } catch (error) {
              errors.push((error as Error).message);
            }
          }
        }),
      );
    } finally {
      largestWalBytes = wals.stop();
      agent.close();
      approver.close();
    }
    const seconds = (Date.now() - started) / 1000;
    await server.stop();
    const disk = diskUse(server.dataDir);
    latencies.sort((a, b) => a - b);
    const phase: ApprovalPhase = {
      requested: next,
      approved: latencies.length,
      errors: errors.length,
      firstError: errors[0],
      seconds: round2(seconds),
      latencyMs: {
        p50: round2(percentile(latencies, 50)),
        p99: round2(percentile(latencies, 99)),
        max: round2(latencies[latencies.length - 1] ?? Number.NaN),
      },
      voteRetries: counters.voteRetries,
      largestWalBytes,
      disk,
    };
    options.log(
      `${label}: ${phase.approved} approved${phase.errors > 0 ? `, ${phase.errors} errors (first: ${phase.firstError})` : ''} in ${phase.seconds} s; ` +
        `${disk.actions} actions in the ledger, ${mib(disk.totalBytes)} MiB on disk after the stop, ${disk.totalBytesPerAction} B/action`,
    );
    return phase;
  } finally {
    await server.dispose();
  }
}

function summarize(runs: DiskRun[], setting: WalSetting): SettingSummary {
  const mine = runs.filter((r) => r.setting === setting);
  const largestWalBytes = Object.fromEntries(sqliteFiles.map((f) => [f, Math.max(...mine.map((r) => r.largestWalBytes[f]))])) as Record<SqliteFile, number>;
  return {
    walMaxMb: walMaxMb[setting],
    throughputPerSecond: Math.round(median(mine.map((r) => r.row.throughputPerSecond))),
    p50Ms: round2(median(mine.map((r) => r.row.latencyMs.p50))),
    p99Ms: round2(median(mine.map((r) => r.row.latencyMs.p99))),
    maxMs: round2(median(mine.map((r) => r.row.latencyMs.max))),
    serverCpuMsPerAction: round2(median(mine.map((r) => r.serverCpuMsPerAction))),
    errors: mine.reduce((sum, r) => sum + r.row.errors, 0),
    firstError: mine.find((r) => r.row.firstError)?.row.firstError,
    largestWalBytes,
    boundExceeded: Object.values(largestWalBytes).some((bytes) => bytes > walMaxMb[setting] * 2 ** 20),
  };
}

/**
 * Measures the closed loop with the WAL bound on and off, alternating, `rounds` times each, with
 * the disk left per action after each run; then the disk per action a person approves.
 */
export async function benchDisk(options: DiskBenchOptions): Promise<DiskFigures> {
  options.log(`disk: ${options.rounds} round(s) per setting, alternating bounded and unbounded, ${options.concurrency} agents, ${options.seconds} s after ${options.warmupSeconds} s warm-up`);
  const runs: DiskRun[] = [];
  for (let round = 1; round <= options.rounds; round += 1) {
    const order: WalSetting[] = round % 2 === 1 ? ['bounded', 'unbounded'] : ['unbounded', 'bounded'];
    for (const setting of order) runs.push(await runOnce(options, setting, round));
  }
  const settings = { bounded: summarize(runs, 'bounded'), unbounded: summarize(runs, 'unbounded') };
  const approvals = await approvalPhase(options);
  return {
    concurrency: options.concurrency,
    settings,
    p99Ratio: round2(settings.bounded.p99Ms / settings.unbounded.p99Ms),
    throughputRatio: round2(settings.bounded.throughputPerSecond / settings.unbounded.throughputPerSecond),
    runs,
    autoAllowed: medianDiskUse(runs.filter((r) => r.setting === 'bounded').map((r) => r.disk)),
    approvals,
  };
}

const mib = (bytes: number) => (bytes / 2 ** 20).toFixed(1);
const walCells = (largest: Record<SqliteFile, number>) => sqliteFiles.map((f) => mib(largest[f])).join(' | ');

const diskTable = (columns: [string, DiskUse][]) => {
  const names = [...new Set(columns.flatMap(([, u]) => Object.keys(u.files)))].sort();
  const row = (first: string, cells: (u: DiskUse) => [string | number, string | number]) => `| ${first} | ${columns.map(([, u]) => cells(u).join(' | ')).join(' | ')} |`;
  return [
    `| file | ${columns.map(([name]) => `${name}: bytes | ${name}: bytes/action`).join(' | ')} |`,
    `| --- | ${columns.map(() => '--- | ---').join(' | ')} |`,
    ...names.map((name) => row(name, (u) => [u.files[name] ?? 0, u.bytesPerAction[name] ?? 0])),
    row('**total**', (u) => [u.totalBytes, `**${u.totalBytesPerAction}**`]),
    row('actions in the ledger', (u) => [u.actions, '']),
    row('GB per million actions', (u) => ['', `**${u.gbPerMillionActions}**`]),
  ];
};

/** The report's section on disk: the cost of the WAL bound, and the disk each action takes. */
export function diskReport(figures: DiskFigures, options: Pick<DiskBenchOptions, 'rounds' | 'seconds' | 'warmupSeconds' | 'connections' | 'approvalConcurrency'>): string[] {
  const { bounded, unbounded } = figures.settings;
  const boundedRuns = figures.runs.filter((r) => r.setting === 'bounded');
  const warnings = figures.runs.reduce((sum, r) => sum + r.overBoundWarnings, 0);
  const approvals = figures.approvals;
  const approvalsBoundExceeded = Object.values(approvals.largestWalBytes).some((bytes) => bytes > walMaxMb.bounded * 2 ** 20);
  return [
    `## Disk: the write-ahead log bound, and bytes per action (embedded mode)`,
    '',
    `The closed loop of auto-allowed actions at ${figures.concurrency} concurrent agents over ${options.connections} connections, ` +
      `${options.warmupSeconds} s warm-up then ${options.seconds} s measured, with the default bound (\`APPROVALS_SQLITE_WAL_MAX_MB=${walMaxMb.bounded}\`: ` +
      `a log is truncated once it holds half of it) and with the bound effectively off (\`APPROVALS_SQLITE_WAL_MAX_MB=${walMaxMb.unbounded}\`: PASSIVE checkpoints only). ` +
      `Each setting runs ${options.rounds === 1 ? 'once' : `${options.rounds} times`}, alternating (bounded, unbounded, unbounded, bounded, ...), each on a fresh server and data directory; ` +
      `latency and throughput are medians over the rounds, the log sizes the largest sampled (every ${sampleEveryMs} ms, warm-up included) in any round.`,
    '',
    `| setting | actions/s | p50 ms | p99 ms | max ms | server CPU ms/action | errors | largest ledger.sqlite-wal MiB | largest audit-read-model.sqlite-wal MiB | largest notifier.sqlite-wal MiB |`,
    `| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |`,
    ...(['bounded', 'unbounded'] as const).map((s) => {
      const f = figures.settings[s];
      return `| ${s} (${f.walMaxMb} MB) | ${f.throughputPerSecond} | ${f.p50Ms} | ${f.p99Ms} | ${f.maxMs} | ${f.serverCpuMsPerAction} | ${f.errors} | ${walCells(f.largestWalBytes)} |`;
    }),
    '',
    `p99 bounded / unbounded: **${figures.p99Ratio}**; throughput bounded / unbounded: **${figures.throughputRatio}**. ` +
      `The bound of ${walMaxMb.bounded} MiB was ${bounded.boundExceeded ? '**exceeded**' : 'never exceeded'} by a log of the bounded runs` +
      `${warnings > 0 ? `; the servers warned ${warnings} time(s) that a log was over its bound` : ''}.`,
    ...(bounded.errors + unbounded.errors > 0 ? ['', `Errors: bounded ${bounded.errors}, unbounded ${unbounded.errors}; first: ${bounded.firstError ?? unbounded.firstError}`] : []),
    '',
    `Each run (other processes' CPU: the share of the machine's cores busy with neither the server nor the load generator while measuring, i.e. what else ran on the shared machine):`,
    '',
    `| setting | round | actions/s | p50 ms | p99 ms | max ms | server CPU ms/action | other processes' CPU | measured actions | actions in the ledger | largest logs MiB (ledger / read model / notifier) | on disk after the stop MiB | bytes/action |`,
    `| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |`,
    ...figures.runs.map(
      (r) =>
        `| ${r.setting} | ${r.round} | ${r.row.throughputPerSecond} | ${r.row.latencyMs.p50} | ${r.row.latencyMs.p99} | ${r.row.latencyMs.max} | ${r.serverCpuMsPerAction} | ${Math.round(r.othersBusy * 100)}% | ${r.row.completed} | ${r.disk.actions} | ` +
        `${sqliteFiles.map((f) => mib(r.largestWalBytes[f])).join(' / ')} | ${mib(r.disk.totalBytes)} | ${r.disk.totalBytesPerAction} |`,
    ),
    '',
    `### Bytes per action`,
    '',
    `After each run the server is stopped gracefully (SIGTERM) and every file left in its data directory is summed, then divided by the actions in the ledger ` +
      `(its ActionRequested events: warm-up and requests that failed on the client included). ` +
      `Auto-allowed: median over the ${boundedRuns.length} bounded run(s) of the load above. ` +
      `Approved by a person: a fresh bounded server, ${approvals.requested} \`db.export\` requests (\`{"rows":5000}\`, agent-reporting) each approved by bob (CastVote APPROVE once AWAITING_APPROVAL), ` +
      `${options.approvalConcurrency} at a time: ${approvals.approved} approved in ${approvals.seconds} s (request to approval p50 ${approvals.latencyMs.p50} ms, p99 ${approvals.latencyMs.p99} ms, ` +
      `${approvals.voteRetries} vote(s) retried${approvals.errors > 0 ? `, **${approvals.errors} errors**, first: ${approvals.firstError}` : ', no errors'}); ` +
      `largest logs ${sqliteFiles.map((f) => `${f} ${mib(approvals.largestWalBytes[f])} MiB`).join(', ')}${approvalsBoundExceeded ? ' (**over the bound**)' : ''}.`,
    '',
    ...diskTable([
      ['auto-allowed', figures.autoAllowed],
      ['approved by a person', approvals.disk],
    ]),
    '',
    `GB are 10^9 bytes; a million actions extrapolate linearly from these runs (the files include SQLite's fixed overhead and free pages, so small runs overstate it slightly).`,
    '',
  ];
}

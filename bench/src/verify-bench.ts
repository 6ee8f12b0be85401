import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import type { EventMetadata, NewEvent, VerifyReport } from '@approvals/application';
import { auditLedger, catchUpLedgerLog, openLedger } from '@approvals/ledger';
import { defaultVerifyThreads } from '@approvals/ledger-sqlite';
import { EmbeddedServer } from '@approvals/testing';
import type { Row } from './closed-loop';
import { measure } from './closed-loop';
import { median } from './stats';

// What the ledger log costs and how fast the ledger is verified (issue 16). Part one fills a fresh
// embedded ledger with auto-allowed actions as the decision service writes them (four events each,
// grant token included), has the log keeper take them all, and runs the whole-ledger verification
// (`approvals audit verify`). Part two runs the same closed loop of auto-allowed actions against
// the embedded server with the log on (keeper, run-time checks, checkpoints every 1,000 events) and
// off (APPROVALS_LEDGER_LOG=off), alternating off, on, on, off, ... on fresh servers, and reports the
// throughput lost.

/** The issue's targets. */
export const verifyTargets = { eventsPerSecond: 200_000, maxLossPercent: 5 } as const;

export interface VerifyBenchOptions {
  events: number;
  concurrency: number;
  seconds: number;
  warmupSeconds: number;
  rounds: number;
  connections: number;
  apiKey: string;
  log: (line: string) => void;
}

export interface VerifyFigures {
  events: number;
  fillSeconds: number;
  keeperEventsPerSecond: number;
  /** Worker threads of the default run (the cores available, at most 4). */
  verifyThreads: number;
  verifyEventsPerSecond: number;
  verifySeconds: number;
  verifyOneThreadEventsPerSecond: number;
  findings: number;
  overhead: {
    concurrency: number;
    off: number[];
    on: number[];
    offMedian: number;
    onMedian: number;
    /** Median over the rounds of each round's throughput lost with the log on. */
    lossPercent: number;
    roundLosses: number[];
    /** The server's CPU per action (median), and how much more it takes with the log on. */
    cpuMsPerAction: { off: number; on: number; extraPercent: number };
    errors: number;
  };
}

const request = {
  agentId: 'agent-reporting',
  model: 'gpt-bench',
  action: 'db.read',
  resource: { kind: 'dataset', id: 'customers' },
  environment: 'prod',
  parameters: { rows: 10 },
  justification: 'benchmark',
  idempotencyKey: 'bench',
};

/** The four events of an auto-allowed action, shaped as the decision service appends them. */
function actionEvents(i: number): NewEvent[] {
  const actionId = `bench-${i}`;
  const at = '2026-12-07T12:00:00.000Z';
  const metadata: EventMetadata = {
    actionId,
    actor: { kind: 'agent', id: 'agent-reporting', model: 'gpt-bench' },
    correlationId: actionId,
    causationId: `msg-${i}`,
    traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01',
  };
  const service = { ...metadata, actor: { kind: 'service' as const, id: 'decision' } };
  return [
    { eventId: `${actionId}-0`, type: 'ActionRequested', data: { actionId, request: { ...request, idempotencyKey: actionId }, requestHash: 'a'.repeat(64), requestedAt: at }, metadata },
    { eventId: `${actionId}-1`, type: 'PolicyEvaluated', data: { actionId, outcome: 'ALLOW', policyVersion: 'sha256:0123456789abcdef', determiningPolicies: ['reads-are-fine'], reasons: ['reads are fine'], requestHash: 'a'.repeat(64), evaluatedAt: at }, metadata: { ...service, policyVersion: 'sha256:0123456789abcdef' } },
    { eventId: `${actionId}-2`, type: 'ActionApproved', data: { actionId, approvedBy: [], by: 'POLICY', approvedAt: at }, metadata: service },
    { eventId: `${actionId}-3`, type: 'ExecutionGrantIssued', data: { actionId, grantId: `grant-${i}`, agentId: 'agent-reporting', requestHash: 'a'.repeat(64), token: 'e'.repeat(420), issuedAt: at, expiresAt: at }, metadata: service },
  ];
}

export async function benchVerify(options: VerifyBenchOptions): Promise<VerifyFigures> {
  const { log } = options;
  const dir = mkdtempSync(join(tmpdir(), 'approvals-bench-verify-'));
  let ledgerFigures: Omit<VerifyFigures, 'overhead'>;
  try {
    const ledger = await openLedger({ store: 'embedded', file: join(dir, 'ledger.sqlite') });
    try {
      const actions = Math.ceil(options.events / 4);
      log(`verify: filling a ledger with ${actions * 4} events ...`);
      let started = Date.now();
      for (let i = 0; i < actions; i += 1) {
        await ledger.events.appendToStream(`action-bench-${i}`, actionEvents(i));
        if (i % 25_000 === 0 && i > 0) log(`verify: ${i * 4} events written`);
      }
      const fillSeconds = (Date.now() - started) / 1000;
      log('verify: the log keeper takes them all ...');
      started = Date.now();
      await catchUpLedgerLog(ledger);
      const keeperSeconds = (Date.now() - started) / 1000;
      // Spread over worker threads (the default) and on one thread, alternating, twice each.
      const runs: Record<'threads' | 'alone', number[]> = { threads: [], alone: [] };
      let report: VerifyReport | undefined;
      for (const setting of ['threads', 'alone', 'threads', 'alone'] as const) {
        log(`verify: verifying the whole ledger (${setting === 'threads' ? `${defaultVerifyThreads()} worker threads` : 'one thread'}) ...`);
        started = Date.now();
        report = await auditLedger(ledger, setting === 'threads' ? {} : { threads: { threads: 0 } });
        runs[setting].push((Date.now() - started) / 1000);
      }
      const rate = (seconds: number[]) => Math.round(report!.events / median(seconds));
      ledgerFigures = {
        events: report!.events,
        fillSeconds: Number(fillSeconds.toFixed(1)),
        keeperEventsPerSecond: Math.round(report!.events / keeperSeconds),
        verifyThreads: defaultVerifyThreads(),
        verifyEventsPerSecond: rate(runs.threads),
        verifySeconds: Number(median(runs.threads).toFixed(1)),
        verifyOneThreadEventsPerSecond: rate(runs.alone),
        findings: report!.findingsTotal,
      };
    } finally {
      await ledger.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }

  // Each round runs both settings back to back, so a round's ratio is little moved by the machine's
  // drift over minutes; a first round is run and discarded to warm the machine up.
  const runs: Record<'off' | 'on', number[]> = { off: [], on: [] };
  const cpu: Record<'off' | 'on', number[]> = { off: [], on: [] };
  const roundLosses: number[] = [];
  let errors = 0;
  for (let round = -1; round < options.rounds; round += 1) {
    const pair: Partial<Record<'off' | 'on', number>> = {};
    for (const setting of round % 2 === 0 ? (['off', 'on'] as const) : (['on', 'off'] as const)) {
      log(`verify: auto-allow with the ledger log ${setting}, ${round < 0 ? 'warm-up round (not counted)' : `round ${round + 1} of ${options.rounds}`} ...`);
      const server = await EmbeddedServer.start({ env: { LOG_LEVEL: 'warn', APPROVALS_LEDGER_LOG: setting, APPROVALS_CHECKPOINT_EVERY: '1000' } });
      try {
        const address = server.grpcAddress;
        const rows: Row[] = await measure({
          addresses: { intake: address, decisions: address, audit: address },
          apiKey: options.apiKey,
          label: `log ${setting}`,
          levels: [options.concurrency],
          seconds: options.seconds,
          warmupSeconds: options.warmupSeconds,
          connections: options.connections,
          cpuGroups: [{ name: 'server', pids: () => (server.pid === undefined ? [] : [server.pid]) }],
          log,
        });
        if (round < 0) continue;
        pair[setting] = rows[0]!.throughputPerSecond;
        runs[setting].push(rows[0]!.throughputPerSecond);
        cpu[setting].push(rows[0]!.cpuMsPerAction?.['server'] ?? Number.NaN);
        errors += rows[0]!.errors;
      } finally {
        await server.dispose();
      }
    }
    if (round >= 0) roundLosses.push(((pair.off! - pair.on!) / pair.off!) * 100);
  }
  const [offMedian, onMedian] = [median(runs.off), median(runs.on)];
  const [offCpu, onCpu] = [Number(median(cpu.off).toFixed(2)), Number(median(cpu.on).toFixed(2))];
  return {
    ...ledgerFigures,
    overhead: {
      concurrency: options.concurrency,
      off: runs.off,
      on: runs.on,
      offMedian,
      onMedian,
      lossPercent: Number(median(roundLosses).toFixed(1)),
      roundLosses: roundLosses.map((loss) => Number(loss.toFixed(1))),
      cpuMsPerAction: { off: offCpu, on: onCpu, extraPercent: Number((((onCpu - offCpu) / offCpu) * 100).toFixed(1)) },
      errors,
    },
  };
}

export function verifyReport(f: VerifyFigures, options: Pick<VerifyBenchOptions, 'rounds' | 'seconds'>): string[] {
  const verifyMet = f.verifyEventsPerSecond >= verifyTargets.eventsPerSecond;
  const lossMet = f.overhead.lossPercent <= verifyTargets.maxLossPercent;
  return [
    `## The ledger log: verification speed and cost on the auto-allow path`,
    '',
    `A fresh embedded ledger of ${f.events.toLocaleString('en')} events (auto-allowed actions, four events each), filled in ${f.fillSeconds} s:`,
    '',
    `| step | events/s |`,
    `| --- | --- |`,
    `| log keeper takes every event (hash and link checks, tree, stored subtree roots, stream heads) | ${f.keeperEventsPerSecond.toLocaleString('en')} |`,
    `| \`approvals audit verify\`: the whole ledger, ${f.verifyThreads} worker threads (${f.verifySeconds} s, ${f.findings} findings) | ${f.verifyEventsPerSecond.toLocaleString('en')} |`,
    `| \`approvals audit verify --threads 0\`: the same on one thread | ${f.verifyOneThreadEventsPerSecond.toLocaleString('en')} |`,
    '',
    `Median of two runs each, alternating. Target: at least ${verifyTargets.eventsPerSecond.toLocaleString('en')} events/s verified. ${verifyMet ? 'Met' : 'NOT met'} in this run, on ${cpus().length} cores; the threads verify ${(f.verifyEventsPerSecond / f.verifyOneThreadEventsPerSecond).toFixed(2)} times as fast as one thread.`,
    '',
    `Auto-allowed actions with ${f.overhead.concurrency} concurrent agents, ${options.seconds} s per run, ${options.rounds} rounds of one run per setting (alternating which goes first, fresh server each, after a warm-up round not counted):`,
    '',
    `| ledger log | actions/s per run | median | server CPU ms per action (median) |`,
    `| --- | --- | --- | --- |`,
    `| off | ${f.overhead.off.join(', ')} | ${f.overhead.offMedian} | ${f.overhead.cpuMsPerAction.off} |`,
    `| on | ${f.overhead.on.join(', ')} | ${f.overhead.onMedian} | ${f.overhead.cpuMsPerAction.on} |`,
    '',
    `Throughput lost with the log on, per round: ${f.overhead.roundLosses.join('%, ')}%; median ${f.overhead.lossPercent}% (target: at most ${verifyTargets.maxLossPercent}%). ${lossMet ? 'Met' : 'NOT met'} in this run; ${f.overhead.errors} errors. The server's CPU per action is ${f.overhead.cpuMsPerAction.extraPercent}% higher with the log on.`,
    '',
  ];
}

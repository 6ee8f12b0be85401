import { resolve } from 'node:path';
import type { LedgerFinding, LedgerSpec, VerifyReport } from '@approvals/platform';
import { auditLedger, describeFinding, openLedger } from '@approvals/platform';
import { expectPositionals, parseCommandArgs } from '../args';
import { ExitCode, UsageError } from '../errors';
import { printJson, type Command, type Io } from './command';

const defaultLedger = '.data/ledger.sqlite';
const options = {
  ledger: {
    type: 'string',
    value: '<file|url>',
    description: `the ledger to read: a SQLite file (default ${defaultLedger}, the embedded default) or a postgres:// URL`,
  },
  schema: { type: 'string', value: '<name>', description: 'the PostgreSQL schema of the ledger (default approvals)' },
} as const;

/** Where `--ledger` points, as the adapter to open. */
export function ledgerSpecOf(ledger: string | undefined, schema: string | undefined): LedgerSpec {
  const target = ledger ?? defaultLedger;
  if (/^postgres(ql)?:\/\//.test(target)) return { store: 'postgres', connectionString: target, schema: schema ?? 'approvals' };
  if (/^[a-z]+:\/\//.test(target)) throw new UsageError(`audit: --ledger must be a SQLite file or a postgres:// URL (a KurrentDB ledger keeps no ledger log yet)`);
  if (schema !== undefined) throw new UsageError('audit: --schema applies to a PostgreSQL ledger only');
  return { store: 'embedded', file: resolve(target) };
}

/** A progress line: events, share of the ledger, rate and time left. */
function progressLine(verified: number, head: bigint, startedAt: number, now: number): string {
  const seconds = Math.max((now - startedAt) / 1000, 0.001);
  const rate = verified / seconds;
  const total = Number(head);
  const share = total > 0 ? Math.min(verified / total, 1) : 1;
  const width = 24;
  const bar = '#'.repeat(Math.round(share * width)).padEnd(width, '.');
  const left = rate > 0 && total > verified ? `, ${Math.ceil((total - verified) / rate)} s left` : '';
  return `[${bar}] ${verified.toLocaleString('en')} / ${total.toLocaleString('en')} events, ${Math.round(rate).toLocaleString('en')} events/s${left}`;
}

function printReport(io: Io, report: VerifyReport, seconds: number): void {
  const rate = Math.round(report.events / Math.max(seconds, 0.001)).toLocaleString('en');
  io.out(`verified ${report.events.toLocaleString('en')} events in ${report.streams.toLocaleString('en')} streams in ${seconds.toFixed(1)} s (${rate} events/s)`);
  io.out(`tree: ${report.treeSize.toLocaleString('en')} leaves, root ${report.rootHash}`);
  io.out(report.logSize === undefined ? 'the ledger keeps no ledger log' : `the ledger log holds ${report.logSize.toLocaleString('en')} of them`);
  if (report.findings.length === 0) {
    io.out('no inconsistency found');
    return;
  }
  const first = report.findings.find((f) => f.position !== undefined);
  io.out(`${report.findings.length} inconsistenc${report.findings.length === 1 ? 'y' : 'ies'} found${first ? `; the first at position ${first.position}` : ''}:`);
  for (const finding of report.findings) io.out(`  ${describeFinding(finding)}`);
}

const findingJson = (finding: LedgerFinding) => ({ ...finding, position: finding.position?.toString() });

export const auditCommand: Command = {
  name: 'audit',
  synopsis: 'audit verify [--ledger <file|url>] [--schema <name>]',
  summary: "check the whole ledger against itself and its log (I8); exit 1 on any finding",
  description:
    'Reads the ledger directly (not through the server), in global order: each event must hash to its recorded hash and link to the ' +
    "previous event of its stream, no position may be missing, the Merkle tree must have the root the ledger log saved, and every stream " +
    'must still reach the head the log recorded for it. Prints the first bad position; --json prints one summary object. See docs/audit.md.',
  options,
  async run(args, ctx) {
    const { values, positionals } = parseCommandArgs('audit', args, options);
    const [verb] = expectPositionals('audit', positionals, ['verb']);
    if (verb !== 'verify') throw new UsageError(`audit: unknown subcommand "${verb}" (known: verify)`);
    const spec = ledgerSpecOf(values.ledger, values.schema);
    const ledger = await openLedger(spec);
    try {
      const startedAt = Date.now();
      let shown = 0;
      const report = await auditLedger(ledger, (verified, head) => {
        const now = Date.now();
        if (!ctx.io.progress || now - shown < 200) return;
        shown = now;
        ctx.io.progress(progressLine(verified, head, startedAt, now));
      });
      ctx.io.progress?.('');
      const seconds = (Date.now() - startedAt) / 1000;
      if (ctx.json) printJson(ctx.io, { ledger: ledger.location, ...report, seconds, findings: report.findings.map(findingJson) });
      else printReport(ctx.io, report, seconds);
      return report.findings.length === 0 ? ExitCode.ok : ExitCode.failure;
    } finally {
      await ledger.close();
    }
  },
};

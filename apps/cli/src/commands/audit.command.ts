import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { LedgerFinding, LedgerSpec, VerifyReport } from '@approvals/ledger';
import { auditLedger, describeFinding, exportEvidence, openLedger, parseVerifierKey, verifyEvidenceFolder, verifyInclusionProofFile } from '@approvals/ledger';
import { expectPositionals, parseCommandArgs } from '../args';
import { ExitCode, UsageError } from '../errors';
import { printJson, requireApiKey, type CliContext, type Command, type Io } from './command';

const defaultLedger = '.data/ledger.sqlite';
const options = {
  as: { type: 'string', value: '<human>', description: 'proof, consistency: call as this person (an auditor)' },
  out: { type: 'string', value: '<file|dir>', description: 'proof: the proof file (default proof-<actionId>.json); export: a new folder for the bundle (required)' },
  from: { type: 'string', value: '<ISO 8601>', description: 'export: events that occurred at or after this instant' },
  to: { type: 'string', value: '<ISO 8601>', description: 'export: events that occurred before this instant' },
  action: { type: 'string', value: '<actionId>', description: 'export: the events of this action' },
  agent: { type: 'string', value: '<agentId>', description: "export: the events of this agent's actions" },
  key: {
    type: 'string',
    multiple: true,
    value: '<verifier key>',
    description: 'verify, verify-proof: a checkpoint verifier key (<origin>+<id>+<key>, from /.well-known/ledger-checkpoint-keys), or a file of them, one per line; repeatable',
  },
  since: { type: 'string', value: '<size>', description: 'verify: start at the recorded checkpoint of this many events (an incremental run; run a full one regularly)' },
  threads: { type: 'string', value: '<n>', description: 'verify: worker threads for an embedded ledger (default: the cores available, at most 4; 0: this thread only)' },
  witness: { type: 'string', multiple: true, value: '<file>', description: 'verify: a witness file (APPROVALS_WITNESS_FILE) whose checkpoints the ledger must still extend; repeatable' },
  ledger: {
    type: 'string',
    value: '<file|url>',
    description: `the ledger to read: a SQLite file (default ${defaultLedger}, the embedded default), a postgres:// URL or a kurrentdb:// connection string`,
  },
  log: { type: 'string', value: '<file|url>', description: "a KurrentDB ledger's log: its SQLite file (ledger-log.sqlite) or a postgres:// URL" },
  schema: { type: 'string', value: '<name>', description: 'the PostgreSQL schema of the ledger (default approvals), or of a KurrentDB ledger\'s log (default approvals_ledger_log)' },
} as const;

/** Where `--ledger` points, as the adapter to open. */
export function ledgerSpecOf(ledger: string | undefined, schema: string | undefined, log?: string): LedgerSpec {
  const target = ledger ?? defaultLedger;
  const isPostgres = (url: string) => /^postgres(ql)?:\/\//.test(url);
  if (/^(kurrentdb|kdb|esdb)(\+discover)?:\/\//.test(target)) {
    // Its log lives elsewhere (APPROVALS_POSTGRES_URL's schema APPROVALS_LEDGER_LOG_SCHEMA, or ledger-log.sqlite).
    if (log === undefined) throw new UsageError('audit: a KurrentDB ledger keeps its log in PostgreSQL or a file: give it with --log <file|postgres-url>');
    return {
      store: 'kurrentdb',
      connectionString: target,
      log: isPostgres(log) ? { store: 'postgres', connectionString: log, schema: schema ?? 'approvals_ledger_log' } : { store: 'embedded', file: resolve(log) },
    };
  }
  if (log !== undefined) throw new UsageError('audit: --log applies to a KurrentDB ledger only (the others keep their log beside their events)');
  if (isPostgres(target)) return { store: 'postgres', connectionString: target, schema: schema ?? 'approvals' };
  if (/^[a-z]+:\/\//.test(target)) throw new UsageError(`audit: --ledger must be a SQLite file, a postgres:// URL or a kurrentdb:// connection string`);
  if (schema !== undefined) throw new UsageError('audit: --schema applies to a PostgreSQL ledger or log only');
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
  const since = report.sinceSize === undefined ? '' : ` after the checkpoint at ${report.sinceSize.toLocaleString('en')} events`;
  io.out(`verified ${report.events.toLocaleString('en')} events${since} in ${report.streams.toLocaleString('en')} streams in ${seconds.toFixed(1)} s (${rate} events/s)`);
  io.out(`tree: ${report.treeSize.toLocaleString('en')} leaves, root ${report.rootHash}`);
  io.out(report.logSize === undefined ? 'the ledger keeps no ledger log' : `the ledger log holds ${report.logSize.toLocaleString('en')} of them`);
  io.out(`checkpoints checked: ${report.checkpointsChecked}${report.signaturesChecked > 0 ? ` (${report.signaturesChecked} signatures)` : ' (signatures not checked: give --key)'}`);
  if (report.findings.length === 0) {
    io.out('no inconsistency found');
    return;
  }
  const first = report.findings.find((f) => f.position !== undefined);
  const total = report.findingsTotal;
  const listed = total > report.findings.length ? ` (the first ${report.findings.length.toLocaleString('en')} listed)` : '';
  io.out(`${total.toLocaleString('en')} inconsistenc${total === 1 ? 'y' : 'ies'} found${first ? `; the first at position ${first.position}` : ''}${listed}:`);
  for (const finding of report.findings) io.out(`  ${describeFinding(finding)}`);
}

const findingJson = (finding: LedgerFinding) => ({ ...finding, position: finding.position?.toString() });

const verbs = ['verify', 'proof', 'verify-proof', 'consistency', 'export', 'verify-bundle'] as const;
type Values = {
  from?: string | undefined;
  to?: string | undefined;
  action?: string | undefined;
  agent?: string | undefined; since?: string | undefined; threads?: string | undefined; log?: string | undefined; ledger?: string | undefined; schema?: string | undefined; as?: string | undefined; out?: string | undefined; key?: string[] | undefined; witness?: string[] | undefined };

export const auditCommand: Command = {
  name: 'audit',
  synopsis:
    'audit verify [--ledger <file|url>] | proof <actionId> --as <human> [--out <file>] | verify-proof <file> --key <key> | consistency <from> [<to>] --as <human> | ' +
    'export --out <dir> [--from <t>] [--to <t>] [--action <id>] [--agent <id>] [--key <key>] | verify-bundle <dir> --key <key>',
  summary: 'check the ledger (I8): verify it whole, or get and check proofs offline',
  description:
    'verify reads the ledger directly (not through the server), in global order: each event must hash to its recorded hash and link to the ' +
    "previous event of its stream, no position may be missing, the Merkle tree must have the root the ledger log saved, and every stream " +
    'must still reach the head the log recorded for it; it prints the first bad position and exits 1 on any finding. ' +
    "proof asks the server for the inclusion proof of an action's events against the latest signed checkpoint and writes it to a file; " +
    'verify-proof checks such a file with no server: the checkpoint signature with --key, each event hash, each audit path. ' +
    'consistency checks that the tree of one signed checkpoint extends an earlier one. ' +
    'export writes an evidence bundle (events as JSONL and CSV, the policies that decided, the signed checkpoint, inclusion proofs, the keys ' +
    'given, a manifest of SHA-256 sums) reading the ledger directly; verify-bundle checks one with no server. See docs/audit.md.',
  options,
  async run(args, ctx) {
    const { values, positionals } = parseCommandArgs('audit', args, options);
    const verb = positionals[0];
    if (!verbs.includes(verb as (typeof verbs)[number])) throw new UsageError(`audit: ${verb ? `unknown subcommand "${verb}"` : 'missing subcommand'} (known: ${verbs.join(', ')})`);
    switch (verb as (typeof verbs)[number]) {
      case 'verify':
        expectPositionals('audit verify', positionals.slice(1), []);
        return verify(ctx, values);
      case 'proof':
        return proof(ctx, expectPositionals('audit proof', positionals.slice(1), ['actionId'])[0], values);
      case 'verify-proof':
        return verifyProof(ctx, expectPositionals('audit verify-proof', positionals.slice(1), ['file'])[0], values);
      case 'export':
        expectPositionals('audit export', positionals.slice(1), []);
        return exportBundle(ctx, values);
      case 'verify-bundle':
        return verifyBundle(ctx, expectPositionals('audit verify-bundle', positionals.slice(1), ['dir'])[0], values);
      case 'consistency': {
        const sizes = positionals.slice(1);
        if (sizes.length < 1 || sizes.length > 2) throw new UsageError('audit consistency: give <from> and optionally <to> (tree sizes of signed checkpoints)');
        return consistency(ctx, sizes, values);
      }
    }
  },
};

async function verify(ctx: CliContext, values: Values): Promise<number> {
  const spec = ledgerSpecOf(values.ledger, values.schema, values.log);
  const ledger = await openLedger(spec);
  try {
    const startedAt = Date.now();
    let shown = 0;
    const report = await auditLedger(ledger, {
      onProgress: (verified, head) => {
        const now = Date.now();
        if (!ctx.io.progress || now - shown < 200) return;
        shown = now;
        ctx.io.progress(progressLine(verified, head, startedAt, now));
      },
      ...(values.key?.length ? { verifiers: verifierKeys(values, 'audit verify') } : {}),
      witnessFiles: values.witness ?? [],
      ...(values.since !== undefined ? { sinceSize: sinceOf(values.since) } : {}),
      ...(values.threads !== undefined ? { threads: { threads: threadsOf(values.threads) } } : {}),
    });
    ctx.io.progress?.('');
    const seconds = (Date.now() - startedAt) / 1000;
    if (ctx.json) printJson(ctx.io, { ledger: ledger.location, ...report, seconds, findings: report.findings.map(findingJson) });
    else printReport(ctx.io, report, seconds);
    return report.findingsTotal === 0 ? ExitCode.ok : ExitCode.failure;
  } finally {
    await ledger.close();
  }
}

const isoInstant = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/;

/** --from / --to as the UTC instants events record (occurredAt). */
function instantOf(flag: string, text: string | undefined): string | undefined {
  if (text === undefined) return undefined;
  if (!isoInstant.test(text) || Number.isNaN(Date.parse(text))) throw new UsageError(`audit export: --${flag} must be an ISO 8601 instant with an offset, e.g. 2026-12-01T00:00:00Z`);
  return new Date(text).toISOString();
}

async function exportBundle(ctx: CliContext, values: Values): Promise<number> {
  if (values.out === undefined) throw new UsageError('audit export: --out <dir> is required (a new folder for the bundle)');
  const selection = {
    ...(values.from !== undefined ? { from: instantOf('from', values.from) } : {}),
    ...(values.to !== undefined ? { to: instantOf('to', values.to) } : {}),
    ...(values.action !== undefined ? { actionId: values.action } : {}),
    ...(values.agent !== undefined ? { agentId: values.agent } : {}),
  };
  const keys = values.key?.length ? verifierKeys(values, 'audit export').map((key) => key.text) : [];
  const ledger = await openLedger(ledgerSpecOf(values.ledger, values.schema, values.log));
  try {
    const dir = resolve(values.out);
    let shown = 0;
    const summary = await exportEvidence(ledger, dir, selection, keys, (scanned, head, selected) => {
      const now = Date.now();
      if (!ctx.io.progress || now - shown < 200) return;
      shown = now;
      ctx.io.progress(`scanned ${scanned.toLocaleString('en')} / ${head.toLocaleString('en')} events, ${selected.toLocaleString('en')} selected`);
    });
    ctx.io.progress?.('');
    if (ctx.json) printJson(ctx.io, { dir, ...summary });
    else {
      ctx.io.out(`wrote ${summary.events} events (checkpoint at ${summary.checkpointSize} events, ${summary.policyVersions.length} policy versions) to ${dir}`);
      if (summary.notYetCheckpointed > 0) ctx.io.out(`${summary.notYetCheckpointed} selected events are newer than the latest checkpoint; export again after the next one`);
      if (keys.length === 0) ctx.io.out('no --key given: the bundle holds no verifier keys; whoever checks it needs them');
    }
    return ExitCode.ok;
  } finally {
    await ledger.close();
  }
}

async function verifyBundle(ctx: CliContext, dir: string, values: Values): Promise<number> {
  const verdict = verifyEvidenceFolder(dir, verifierKeys(values, 'audit verify-bundle'));
  if (ctx.json) printJson(ctx.io, verdict);
  else if (verdict.ok) ctx.io.out(`bundle verified: ${verdict.events} events, every file as its manifest says, every event in the tree of ${verdict.checkpoint!.size} events of ${verdict.checkpoint!.origin} signed by ${verdict.checkpoint!.signedBy.join(', ')}`);
  else {
    ctx.io.out(`bundle REFUSED (${verdict.problems.length} problem${verdict.problems.length === 1 ? '' : 's'}):`);
    for (const problem of verdict.problems.slice(0, 50)) ctx.io.out(`  ${problem}`);
  }
  return verdict.ok ? ExitCode.ok : ExitCode.failure;
}

function sinceOf(text: string): number {
  const size = Number(text);
  if (!/^\d+$/.test(text) || !Number.isSafeInteger(size) || size < 1) throw new UsageError(`audit verify: --since must be the size of a recorded checkpoint, got "${text}"`);
  return size;
}

function threadsOf(text: string): number {
  const threads = Number(text);
  if (!/^\d+$/.test(text) || threads > 64) throw new UsageError(`audit verify: --threads must be a number of threads from 0 to 64, got "${text}"`);
  return threads;
}

async function proof(ctx: CliContext, actionId: string, values: Values): Promise<number> {
  const api = ctx.connect(requireApiKey(ctx, values.as === undefined ? undefined : { kind: 'human', id: values.as }, 'audit proof: say who asks with --as <human>'));
  const answer = await api.getInclusionProof({ actionId });
  const file = resolve(values.out ?? `proof-${actionId}.json`);
  writeFileSync(file, `${JSON.stringify(JSON.parse(answer.proofJson), null, 2)}\n`);
  if (ctx.json) printJson(ctx.io, { file, treeSize: answer.treeSize, events: answer.events, notYetCheckpointed: answer.notYetCheckpointed });
  else {
    ctx.io.out(`wrote the inclusion proof of ${answer.events} events of action ${actionId} in the tree of ${answer.treeSize} events to ${file}`);
    if (answer.notYetCheckpointed > 0) ctx.io.out(`${answer.notYetCheckpointed} later events are not in a signed checkpoint yet; ask again after the next one`);
    ctx.io.out(`check it offline: approvals audit verify-proof ${file} --key <key from /.well-known/ledger-checkpoint-keys>`);
  }
  return ExitCode.ok;
}

/** Verifier keys from --key: each a key, or a file of keys one per line. */
function verifierKeys(values: Values, command = 'audit verify-proof') {
  const given = values.key ?? [];
  if (given.length === 0) throw new UsageError(`${command}: --key is required (a checkpoint verifier key, or a file of them)`);
  const texts = given.flatMap((key) => (key.includes('+') && !existsSync(key) ? [key] : readFileSync(key, 'utf8').split('\n').map((line) => line.trim()).filter((line) => line !== '')));
  return texts.map((text) => {
    try {
      return Object.assign(parseVerifierKey(text), { text });
    } catch (error) {
      throw new UsageError(`${command}: --key ${text.slice(0, 60)}: ${(error as Error).message}`);
    }
  });
}

async function verifyProof(ctx: CliContext, file: string, values: Values): Promise<number> {
  const keys = verifierKeys(values);
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new Error(`cannot read the proof ${file}: ${(error as Error).message}`);
  }
  const verdict = verifyInclusionProofFile(parsed, keys);
  if (ctx.json) printJson(ctx.io, verdict);
  else if (verdict.ok) {
    const { checkpoint } = verdict;
    ctx.io.out(`proof verified: ${verdict.events} events are in the tree of ${checkpoint!.size} events of ${checkpoint!.origin}, root ${checkpoint!.rootHash}, signed by ${checkpoint!.signedBy.join(', ')}`);
  } else {
    ctx.io.out(`proof REFUSED (${verdict.problems.length} problem${verdict.problems.length === 1 ? '' : 's'}):`);
    for (const problem of verdict.problems) ctx.io.out(`  ${problem}`);
  }
  return verdict.ok ? ExitCode.ok : ExitCode.failure;
}

async function consistency(ctx: CliContext, sizes: string[], values: Values): Promise<number> {
  const [from, to] = sizes.map((size) => {
    if (!/^\d+$/.test(size)) throw new UsageError(`audit consistency: "${size}" is not a tree size`);
    return size;
  });
  const api = ctx.connect(requireApiKey(ctx, values.as === undefined ? undefined : { kind: 'human', id: values.as }, 'audit consistency: say who asks with --as <human>'));
  const answer = await api.getConsistencyProof({ fromSize: from!, toSize: to ?? '0' });
  if (ctx.json) printJson(ctx.io, { fromCheckpoint: answer.fromCheckpoint, toCheckpoint: answer.toCheckpoint, proof: answer.proof.map((hash) => Buffer.from(hash).toString('base64')) });
  else ctx.io.out(`${answer.fromCheckpoint}\n${answer.toCheckpoint}\nconsistency proof: ${answer.proof.length} hashes`);
  return ExitCode.ok;
}

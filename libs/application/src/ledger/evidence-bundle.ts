import { createHash } from 'node:crypto';
import type { EventStore, RecordedEvent } from '../ports/event-store.port';
import { readPolicyHistory } from '../policy/policy-activations';
import type { NoteVerifier } from './checkpoint';
import { openCheckpoint } from './checkpoint';
import { hashEvent } from './event-hash';
import type { LogStore } from './ledger-log';
import { eventLeaf } from './ledger-log';
import { verifyInclusion } from './merkle';
import { TreeReader } from './tree-reader';

/**
 * Evidence bundles (issue 16): what an auditor takes away about a period, an action or an agent,
 * and checks with no server. Files: events.jsonl (each event with everything its hash covers),
 * events.csv (the same, in the columns auditors expect), proofs.jsonl (each event's inclusion proof),
 * checkpoint.txt (the signed checkpoint the proofs lead to), keys.txt (the verifier keys given),
 * policies/<version>/<file> (the policy texts that decided), and manifest.json with the SHA-256 of
 * every file.
 */
export const bundleFormat = 'approvals-evidence-bundle/1';

export interface BundleSelection {
  /** Events that occurred at or after / before these ISO 8601 instants. */
  from?: string | undefined;
  to?: string | undefined;
  actionId?: string | undefined;
  agentId?: string | undefined;
}

/** Where a bundle is written; the platform writes files, tests may keep them in memory. */
export interface BundleSink {
  /** Appends text to a file of the bundle (created on first use). */
  append(file: string, text: string): Promise<void>;
}

export interface BundleSummary {
  events: number;
  /** Selected events newer than the latest checkpoint: the next export covers them. */
  notYetCheckpointed: number;
  checkpointSize: number;
  policyVersions: string[];
  files: Record<string, string>;
}

export const csvColumns = [
  'position',
  'leaf_index',
  'occurred_at',
  'stream_id',
  'action_id',
  'revision',
  'type',
  'actor_kind',
  'actor_id',
  'channel',
  'outcome',
  'policy_version',
  'trace_id',
  'hash',
  'prev_hash',
] as const;

/** One CSV cell (RFC 4180), with spreadsheet formulas defused: a leading = + - @ is prefixed with '. */
export function csvCell(value: unknown): string {
  let text = value === undefined || value === null ? '' : String(value);
  if (/^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

function csvRow(event: RecordedEvent, leaf: number): string {
  const metadata = event.metadata as Record<string, unknown> & { actor?: { kind?: string; id?: string; channel?: string } };
  const data = (event.data ?? {}) as Record<string, unknown>;
  const outcome = data['outcome'] ?? data['decision'] ?? data['reason'] ?? '';
  const traceId = typeof metadata.traceparent === 'string' ? metadata.traceparent.split('-')[1] : '';
  return [
    event.position,
    leaf,
    metadata['occurredAt'],
    event.streamId,
    metadata['actionId'] ?? data['actionId'],
    event.revision,
    event.type,
    metadata.actor?.kind,
    metadata.actor?.id,
    metadata.actor?.channel,
    outcome,
    data['policyVersion'] ?? metadata['policyVersion'],
    traceId,
    event.hash,
    metadata.prevHash,
  ]
    .map(csvCell)
    .join(',');
}

/** Writes the bundle of the selected events; `onProgress` hears of each page. */
export async function writeEvidenceBundle(
  store: EventStore,
  log: LogStore,
  densePositions: boolean,
  selection: BundleSelection,
  keys: readonly string[],
  sink: BundleSink,
  onProgress?: (scanned: bigint, head: bigint, selected: number) => void,
): Promise<BundleSummary> {
  const checkpoint = await log.latestCheckpoint();
  if (!checkpoint) throw new Error('no checkpoint of the ledger has been signed yet: export after the first one');
  const tree = new TreeReader(store, log, densePositions);
  const sums = new Map<string, ReturnType<typeof createHash>>();
  const write = async (file: string, text: string) => {
    (sums.get(file) ?? sums.set(file, createHash('sha256')).get(file)!).update(text);
    await sink.append(file, text);
  };
  const head = await store.headPosition();
  const agentActions = new Set<string>();
  const versions = new Set<string>();
  let events = 0;
  let notYet = 0;
  await write('events.csv', `${csvColumns.join(',')}\n`);
  for (let after = 0n; ; ) {
    const page = await store.readAll({ after, maxCount: 1000 });
    for (const event of page) {
      if (!selected(event, selection, agentActions)) continue;
      const leaf = await tree.leafOf(event.position);
      if (leaf === undefined || leaf >= checkpoint.size) {
        notYet += 1;
        continue;
      }
      const { streamId, revision, eventId, type, data, metadata, hash } = event;
      await write('events.jsonl', `${JSON.stringify({ position: event.position.toString(), leafIndex: leaf, streamId, revision, eventId, type, data, metadata, hash })}\n`);
      await write('events.csv', `${csvRow(event, leaf)}\n`);
      const auditPath = (await tree.inclusionProof(leaf, checkpoint.size)).map((h) => h.toString('base64'));
      await write('proofs.jsonl', `${JSON.stringify({ position: event.position.toString(), leafIndex: leaf, hash, auditPath })}\n`);
      const version = (data as { policyVersion?: unknown } | null)?.policyVersion;
      if (type === 'PolicyEvaluated' && typeof version === 'string') versions.add(version);
      events += 1;
    }
    if (page.length > 0) after = page.at(-1)!.position;
    onProgress?.(after, head, events);
    if (page.length < 1000) break;
  }
  await write('checkpoint.txt', checkpoint.note);
  await write('keys.txt', keys.map((key) => `${key}\n`).join(''));
  const history = await readPolicyHistory(store, { version: '', includeFiles: true });
  for (const version of versions) {
    const activation = history.activations.find((a) => a.toVersion === version && a.files.length > 0);
    for (const file of activation?.files ?? []) await write(`policies/${version.replace(/[^\w.-]/g, '_')}/${file.name.replace(/[^\w.-]/g, '_')}`, file.text);
  }
  const files = Object.fromEntries([...sums].map(([file, hash]) => [file, hash.digest('hex')]));
  const manifest = {
    format: bundleFormat,
    selection,
    checkpoint: { size: checkpoint.size, rootHash: checkpoint.rootHash.toString('hex') },
    events,
    notYetCheckpointed: notYet,
    policyVersions: [...versions],
    files,
  };
  await sink.append('manifest.json', `${JSON.stringify(manifest, null, 2)}\n`);
  return { events, notYetCheckpointed: notYet, checkpointSize: checkpoint.size, policyVersions: [...versions], files };
}

function selected(event: RecordedEvent, selection: BundleSelection, agentActions: Set<string>): boolean {
  if (!event.streamId.startsWith('action-')) return false;
  const actionId = event.streamId.slice('action-'.length);
  if (selection.actionId !== undefined && actionId !== selection.actionId) return false;
  if (selection.agentId !== undefined) {
    // An action's first event names its agent, and comes first in the global order too.
    if (event.type === 'ActionRequested' && (event.data as { request?: { agentId?: unknown } }).request?.agentId === selection.agentId) agentActions.add(actionId);
    if (!agentActions.has(actionId)) return false;
  }
  const at = (event.metadata as { occurredAt?: unknown }).occurredAt;
  if (selection.from !== undefined && !(typeof at === 'string' && at >= selection.from)) return false;
  if (selection.to !== undefined && !(typeof at === 'string' && at < selection.to)) return false;
  return true;
}

export interface BundleVerdict {
  ok: boolean;
  events: number;
  problems: string[];
  checkpoint?: { origin: string; size: number; signedBy: string[] } | undefined;
}

/** Checks a bundle with no server: file sums, the checkpoint's signature, each event's hash and inclusion proof. */
export function verifyEvidenceBundle(read: (file: string) => string | undefined, verifiers: readonly NoteVerifier[]): BundleVerdict {
  const problems: string[] = [];
  const manifestText = read('manifest.json');
  if (manifestText === undefined) return { ok: false, events: 0, problems: ['manifest.json is missing'] };
  const manifest = JSON.parse(manifestText) as { format?: string; files?: Record<string, string>; events?: number };
  if (manifest.format !== bundleFormat || typeof manifest.files !== 'object' || manifest.files === null) {
    return { ok: false, events: 0, problems: [`manifest.json is not of format ${bundleFormat}`] };
  }
  for (const [file, sum] of Object.entries(manifest.files)) {
    const text = read(file);
    if (text === undefined) problems.push(`${file} is missing`);
    else if (createHash('sha256').update(text).digest('hex') !== sum) problems.push(`${file} does not match its SHA-256 in the manifest`);
  }
  let opened;
  try {
    opened = openCheckpoint(read('checkpoint.txt') ?? '', verifiers);
  } catch (error) {
    return { ok: false, events: 0, problems: [...problems, `the checkpoint does not verify: ${(error as Error).message}`] };
  }
  const { size, rootHash, origin } = opened.checkpoint;
  const lines = (file: string) => (read(file) ?? '').split('\n').filter((line) => line !== '');
  const proofs = new Map(lines('proofs.jsonl').map((line) => {
    const proof = JSON.parse(line) as { position: string; leafIndex: number; hash: string; auditPath: string[] };
    return [proof.position, proof];
  }));
  const events = lines('events.jsonl');
  for (const line of events) {
    const event = JSON.parse(line) as { position: string; leafIndex: number; streamId: string; revision: number; eventId: string; type: string; data: unknown; metadata: unknown; hash: string };
    const where = `${event.streamId} revision ${event.revision} (position ${event.position})`;
    if (hashEvent(event) !== event.hash) problems.push(`${where}: its content does not hash to ${event.hash}`);
    const proof = proofs.get(event.position);
    if (!proof || proof.hash !== event.hash || !/^[0-9a-f]{64}$/.test(event.hash)) {
      problems.push(`${where}: no inclusion proof for it`);
      continue;
    }
    if (!verifyInclusion(event.leafIndex, size, eventLeaf(event), proof.auditPath.map((h) => Buffer.from(h, 'base64')), rootHash)) {
      problems.push(`${where}: its inclusion proof does not lead to the checkpoint's root`);
    }
  }
  const csvRows = csvRecords(read('events.csv') ?? '') - 1;
  if (csvRows !== events.length) problems.push(`events.csv has ${csvRows} rows for ${events.length} events`);
  if (manifest.events !== events.length) problems.push(`the manifest counts ${String(manifest.events)} events, events.jsonl holds ${events.length}`);
  return { ok: problems.length === 0, events: events.length, problems, checkpoint: { origin, size, signedBy: opened.verifiedBy } };
}

/** Records in CSV text (RFC 4180: a newline inside a quoted cell does not end a record). */
function csvRecords(text: string): number {
  let records = 0;
  let quoted = false;
  for (const c of text) {
    if (c === '"') quoted = !quoted;
    else if (c === '\n' && !quoted) records += 1;
  }
  return records;
}

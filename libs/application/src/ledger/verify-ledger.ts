import type { EventStore } from '../ports/event-store.port';
import type { NoteVerifier } from './checkpoint';
import { CheckpointFormatError, openCheckpoint } from './checkpoint';
import type { HashedEvent, LedgerFinding, LogStore, RecordedCheckpoint, RecordedStreamHead } from './ledger-log';
import { chainProblem, hashRawEvent, hashRecordedEvent, positionGap } from './ledger-log';
import type { CheckedSegment } from './ledger-segment';
import { checkSegment } from './ledger-segment';
import type { Hash } from './merkle';
import { MerkleFrontier } from './merkle';
import { TreeReader } from './tree-reader';

/** A signed checkpoint that was handed to a witness outside the database: the ledger must still extend it. */
export interface WitnessedCheckpoint {
  size: number;
  rootHash: Hash;
  /** Where it was witnessed (a file, a webhook receiver), for the report. */
  source: string;
}

export interface VerifyOptions {
  /** Global positions are 1, 2, 3, ... without gaps (SQLite, PostgreSQL). */
  densePositions: boolean;
  /** Events read per page (default 2,000). */
  pageSize?: number;
  /** Checkpoints witnessed outside the database, checked against the recomputed tree. */
  witnessed?: readonly WitnessedCheckpoint[];
  /**
   * Keys of the log's checkpoints: with them, every recorded checkpoint's signature is checked too
   * (its root always is).
   */
  verifiers?: readonly NoteVerifier[];
  /**
   * Incremental run: start at the recorded checkpoint of this size, trusting the events before it
   * (a previous run checked them) as far as the tree the log stores for them still has the
   * checkpoint's root. Dense stores only.
   */
  sinceSize?: number;
  /** Findings listed in the report at most (default 10,000); the rest are counted. */
  maxFindings?: number;
  /** Called after each page with the events verified so far and the ledger's head position. */
  onProgress?: (verified: number, head: bigint) => void;
  /**
   * The events at positions (after, head] checked in segments, handed back in order, perhaps
   * checked several at once in worker threads (see checkSegment); the run goes on page by page from
   * the head. Undefined from it, or without it, pages are read and checked one after another.
   */
  segments?: (after: bigint, head: bigint, densePositions: boolean) => AsyncIterable<CheckedSegment> | undefined;
}

export interface VerifyReport {
  /** Events read (after `sinceSize` in an incremental run), and streams they belong to. */
  events: number;
  /** The checkpoint an incremental run started from. */
  sinceSize?: number | undefined;
  streams: number;
  /** The recomputed tree: its size and root (hex). */
  treeSize: number;
  rootHash: string;
  /** The log's own state when the run started (leaves taken by its keeper), if the ledger keeps a log. */
  logSize?: number | undefined;
  /** What was found, in ledger order (at most `maxFindings`); empty for a ledger that checks out. */
  findings: LedgerFinding[];
  /** How many findings there were, listed or not. */
  findingsTotal: number;
  /** Checkpoints checked: witnessed ones, and those the log recorded (their signatures too, given keys). */
  checkpointsChecked: number;
  signaturesChecked: number;
}

/**
 * Re-reads the whole ledger in global order and checks it against itself and its log: every
 * event's hash and its link to its stream's previous event, no missing position (dense stores),
 * the tree the log saved at its size, every stream head the log recorded (a removed tail or a
 * removed stream), and every witnessed checkpoint (a rollback behind it, or a rewritten history).
 */
export async function verifyLedger(store: EventStore, log: LogStore | undefined, options: VerifyOptions): Promise<VerifyReport> {
  const pageSize = options.pageSize ?? 2000;
  // Kept up to a bound (a ledger rewritten wholesale has a finding per event), and counted.
  const maxFindings = options.maxFindings ?? 10_000;
  const findings: LedgerFinding[] = [];
  let findingsTotal = 0;
  const found = (finding: LedgerFinding) => {
    findingsTotal += 1;
    if (findings.length < maxFindings) findings.push(finding);
  };
  const saved = await log?.load();
  const head = await store.headPosition();
  // Roots to compare, by tree size: the log's own, and each witnessed checkpoint's.
  const wanted = new Map<number, { rootHash: Hash; what: string }[]>();
  const want = (size: number, rootHash: Hash, what: string) => wanted.set(size, [...(wanted.get(size) ?? []), { rootHash, what }]);
  if (saved) want(saved.frontier.size, saved.frontier.root(), 'the ledger log');
  for (const checkpoint of options.witnessed ?? []) want(checkpoint.size, checkpoint.rootHash, `the checkpoint witnessed by ${checkpoint.source}`);
  const recorded = log ? await recordedCheckpoints(log) : [];
  let signaturesChecked = 0;
  for (const checkpoint of recorded) {
    want(checkpoint.size, checkpoint.rootHash, `the checkpoint recorded at ${checkpoint.size} events`);
    if (!options.verifiers) continue;
    signaturesChecked += 1;
    try {
      const opened = openCheckpoint(checkpoint.note, options.verifiers);
      if (opened.checkpoint.size !== checkpoint.size || !opened.checkpoint.rootHash.equals(checkpoint.rootHash)) throw new CheckpointFormatError('its signed note is of another tree');
    } catch (error) {
      found({ kind: 'CHECKPOINT_MISMATCH', detail: `the checkpoint recorded at ${checkpoint.size} events does not verify: ${(error as Error).message}` });
    }
  }
  const compare = (frontier: MerkleFrontier) => {
    for (const { rootHash, what } of wanted.get(frontier.size) ?? []) {
      if (!frontier.root().equals(rootHash)) {
        found({
          kind: what === 'the ledger log' ? 'TREE_MISMATCH' : 'CHECKPOINT_MISMATCH',
          detail: `the first ${frontier.size} events hash to root ${frontier.root().toString('hex')}, but ${what} recorded ${rootHash.toString('hex')}: an event among them was changed, removed, inserted or reordered since`,
        });
      }
    }
    wanted.delete(frontier.size);
  };

  const since = options.sinceSize === undefined ? undefined : await startFrom(store, log, options.sinceSize, options.densePositions, recorded);
  const frontier = since?.frontier ?? MerkleFrontier.empty();
  for (const size of [...wanted.keys()]) if (size < frontier.size) wanted.delete(size); // before the start: checked by earlier runs
  compare(frontier);
  const heads = new Map<string, { revision: number; hash: string }>();
  let expected = BigInt(frontier.size) + 1n;
  let after = BigInt(frontier.size);
  let read = 0;
  const merge = async (segment: CheckedSegment) => {
    if (segment.events === 0) return;
    read += segment.events;
    if (options.densePositions && segment.firstPosition !== expected) {
      found(positionGap(expected, segment.firstPosition));
    }
    expected = segment.lastPosition + 1n;
    after = segment.lastPosition;
    segment.findings.forEach(found);
    for (const { streamId, first, last } of segment.streams) {
      // In an incremental run, a stream's events before the start are looked up once.
      if (since && !heads.has(streamId) && first.revision > 0) {
        const [previous] = await store.readStream(streamId, { fromRevision: first.revision - 1, maxCount: 1 });
        if (previous && previous.revision === first.revision - 1) heads.set(streamId, { revision: previous.revision, hash: previous.hash });
      }
      if (first.hashMatches) {
        const problem = chainProblem(first, first.hash, heads.get(streamId));
        if (problem) found(problem);
      }
      heads.set(streamId, last);
    }
    for (let offset = 0; offset < segment.leaves.length; offset += 32) {
      frontier.append(Buffer.from(segment.leaves.buffer, segment.leaves.byteOffset + offset, 32));
      compare(frontier);
    }
    options.onProgress?.(frontier.size, head);
  };
  const segments = head > after ? options.segments?.(after, head, options.densePositions) : undefined;
  if (segments) {
    for await (const segment of segments) await merge(segment);
    after = head;
  }
  // Page by page to the end, which moves on while a live ledger is verified.
  for (;;) {
    const page = await readPage(store, after, pageSize);
    await merge(checkSegment(page, options.densePositions, page.length));
    if (page.length === 0) options.onProgress?.(frontier.size, head);
    if (page.length < pageSize) break;
  }

  // Sizes never reached: the ledger is shorter than what was recorded or witnessed.
  for (const [size, entries] of wanted) {
    for (const { what } of entries) {
      found({
        kind: what === 'the ledger log' ? 'TREE_MISMATCH' : 'CHECKPOINT_MISMATCH',
        detail: `${what} recorded ${size} events, but the ledger holds only ${frontier.size}: it was truncated or rolled back`,
      });
    }
  }
  // Heads the log recorded up to the state read at the start; later ones may be of events this run
  // did not reach. An incremental run judges only the streams it read.
  if (log) await recordedHeadProblems(log, heads, saved?.frontier.size ?? 0, since !== undefined, found);
  if (since?.finding) {
    findingsTotal += 1;
    findings.unshift(since.finding);
  }
  findings.sort((a, b) => (a.position === undefined ? 1 : b.position === undefined ? -1 : a.position < b.position ? -1 : a.position > b.position ? 1 : 0));
  return {
    events: read,
    ...(since ? { sinceSize: options.sinceSize } : {}),
    streams: heads.size,
    treeSize: frontier.size,
    rootHash: frontier.root().toString('hex'),
    logSize: saved?.frontier.size,
    findings,
    findingsTotal,
    checkpointsChecked: (options.witnessed?.length ?? 0) + recorded.length,
    signaturesChecked,
  };
}

/** A page of events with each one's content hash worked out, from the stored texts where the store gives them. */
async function readPage(store: EventStore, after: bigint, pageSize: number): Promise<HashedEvent[]> {
  if (!store.readAllRaw) return (await store.readAll({ after, maxCount: pageSize })).map(hashRecordedEvent);
  return (await store.readAllRaw({ after, maxCount: pageSize })).map(hashRawEvent);
}

/**
 * Where an incremental run starts: the tree at the checkpoint's size, built from the subtree roots
 * the log stores (and leaves where it stores none); a finding when that tree does not have the
 * checkpoint's root.
 */
async function startFrom(
  store: EventStore,
  log: LogStore | undefined,
  size: number,
  dense: boolean,
  recorded: readonly RecordedCheckpoint[],
): Promise<{ frontier: MerkleFrontier; finding?: LedgerFinding }> {
  if (!log || !dense) throw new Error('an incremental run needs a ledger that keeps a log, with positions 1, 2, 3, ...');
  const checkpoint = recorded.find((c) => c.size === size);
  if (!checkpoint) throw new Error(`no checkpoint was recorded at ${size} events (see the checkpoints with --json, or run without --since)`);
  const reader = new TreeReader(store, log, dense);
  const hashes: string[] = [];
  let start = 0;
  for (let bit = 52; bit >= 0; bit -= 1) {
    const width = 2 ** bit;
    if (Math.floor(size / width) % 2 === 1) {
      hashes.push((await reader.rangeHash(start, start + width)).toString('hex'));
      start += width;
    }
  }
  const frontier = MerkleFrontier.fromJSON({ size, hashes });
  if (frontier.root().equals(checkpoint.rootHash)) return { frontier };
  return {
    frontier,
    finding: {
      kind: 'CHECKPOINT_MISMATCH',
      detail: `the tree the log stores for the first ${size} events no longer has the root of the checkpoint recorded there: run a full verification`,
    },
  };
}

async function recordedCheckpoints(log: LogStore): Promise<RecordedCheckpoint[]> {
  const all: RecordedCheckpoint[] = [];
  for (let after = 0; ; ) {
    const page = await log.checkpoints(after, 1000);
    all.push(...page);
    if (page.length < 1000) return all;
    after = page.at(-1)!.size;
  }
}

/** Every stream head the log recorded must still be there: otherwise events (or the stream) were removed. */
async function recordedHeadProblems(log: LogStore, heads: ReadonlyMap<string, { revision: number; hash: string }>, logSize: number, onlyRead: boolean, found: (finding: LedgerFinding) => void): Promise<void> {
  let after = '';
  for (;;) {
    const page = await log.streamHeads(after, 1000);
    for (const [streamId, recorded] of page) {
      // Taken by the keeper after this run started (the ledger is live): not this run's to judge.
      if (recorded.leaf >= logSize || (onlyRead && !heads.has(streamId))) continue;
      const problem = headProblem(streamId, recorded, heads.get(streamId));
      if (problem) found(problem);
    }
    if (page.length < 1000) return;
    after = page.at(-1)![0];
  }
}

function headProblem(streamId: string, recorded: RecordedStreamHead, actual: { revision: number; hash: string } | undefined): LedgerFinding | undefined {
  if (actual === undefined) {
    return { kind: 'STREAM_MISSING', streamId, revision: recorded.revision, detail: `the stream is gone, but the log took its events up to revision ${recorded.revision}` };
  }
  if (actual.revision < recorded.revision) {
    return { kind: 'HEAD_BEHIND_LOG', streamId, revision: actual.revision, detail: `the stream ends at revision ${actual.revision}, but the log took its events up to revision ${recorded.revision}: events were removed` };
  }
  return undefined;
}

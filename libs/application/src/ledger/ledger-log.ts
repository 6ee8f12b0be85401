import type { EventStore, RawRecordedEvent, RecordedEvent, Subscription } from '../ports/event-store.port';
import { hashEvent, hashOfCanonical } from './event-hash';
import type { Hash } from './merkle';
import { MerkleFrontier, leafHashOfHex } from './merkle';

/**
 * The ledger's record of itself (I8): the Merkle tree over every event in global order, and the
 * head each stream had when the log last took one of its events. A keeper follows the ledger and
 * extends both; the decision service compares each stream it acts on with the head recorded here,
 * so a stream whose tail was deleted, or whose events were changed, is refused rather than acted on.
 */

/** What the log knows of one stream: its last event when the log took it. */
export interface RecordedStreamHead {
  revision: number;
  hash: string;
  /** The event's leaf index in the tree. */
  leaf: number;
}

/** A signed checkpoint as the log records it: the tree at `size` leaves, and its signed note. */
export interface RecordedCheckpoint {
  size: number;
  rootHash: Hash;
  /** The C2SP signed note (tlog-checkpoint body and signature lines). */
  note: string;
}

/** A perfect subtree's root: the `index`-th node of `height` (leaves are height 0). */
export interface TreeNode {
  height: number;
  index: number;
  hash: Hash;
}

export interface LogState {
  /** Global position of the last event the tree holds (0n: none). */
  position: bigint;
  frontier: MerkleFrontier;
}

/** Nodes of this height and above are stored; lower ones are recomputed from at most 2^height leaves. */
export const storedNodeMinHeight = 4;

export type FindingKind = 'HASH_MISMATCH' | 'CHAIN_BROKEN' | 'POSITION_GAP' | 'HEAD_BEHIND_LOG' | 'STREAM_MISSING' | 'TREE_MISMATCH' | 'CHECKPOINT_MISMATCH';

/** Something in the ledger that disagrees with itself or with the log, and where. */
export interface LedgerFinding {
  kind: FindingKind;
  streamId?: string | undefined;
  revision?: number | undefined;
  position?: bigint | undefined;
  detail: string;
}

/** The tables (or streams) where a store keeps the log beside its events. */
export interface LogStore {
  /** The saved state, or undefined before the first save. */
  load(): Promise<LogState | undefined>;
  /**
   * Saves the state reached from the one saved at `fromSize` leaves, with the nodes it completed
   * and the stream heads it moved, all or nothing. False, saving nothing, when the saved state is no
   * longer at `fromSize` (another keeper moved it first).
   */
  save(
    fromSize: number,
    state: LogState,
    nodes: readonly TreeNode[],
    heads: ReadonlyMap<string, RecordedStreamHead>,
    findings: readonly LedgerFinding[],
    leafPositions?: readonly bigint[],
  ): Promise<boolean>;
  /**
   * A ledger whose positions have gaps (KurrentDB's `$all` order) cannot find a leaf's event by
   * arithmetic: its keeper saves the position of each leaf it takes (`leafPositions`, the leaves
   * from `fromSize` on), and these read them back. Positions of the leaves [fromLeaf, fromLeaf +
   * count) that were recorded, in order.
   */
  leafPositions(fromLeaf: number, count: number): Promise<bigint[]>;
  /** The leaf recorded for the event at `position`, in such a ledger. */
  leafAt(position: bigint): Promise<number | undefined>;
  streamHead(streamId: string): Promise<RecordedStreamHead | undefined>;
  /** Recorded heads in stream id order, after `afterStreamId` (a page of at most `limit`). */
  streamHeads(afterStreamId: string, limit: number): Promise<[string, RecordedStreamHead][]>;
  /** Records a signed checkpoint (idempotent by size). */
  recordCheckpoint(checkpoint: RecordedCheckpoint): Promise<void>;
  /** Recorded checkpoints with a size above `afterSize`, smallest first (a page of at most `limit`). */
  checkpoints(afterSize: number, limit: number): Promise<RecordedCheckpoint[]>;
  /** The largest recorded checkpoint, if any. */
  latestCheckpoint(): Promise<RecordedCheckpoint | undefined>;
  /** Stored subtree roots, keyed `<height>:<index>`; those not stored are absent. */
  nodes(keys: readonly { height: number; index: number }[]): Promise<Map<string, Hash>>;
  /** Findings recorded so far, oldest first (at most `limit`). */
  findings(limit: number): Promise<LedgerFinding[]>;
}

/** The leaf of an event: its hex hash as the 32 bytes the leaf commits to. */
export const eventLeaf = (event: Pick<RecordedEvent, 'hash'>): Hash => leafHashOfHex(event.hash);

/**
 * What is wrong with `event` as the successor of `previous` (the stream's head before it, if any):
 * a hash that does not match its content, a revision that does not follow, or a `prevHash` that is
 * not the previous event's hash. Undefined when it follows on.
 */
export function linkProblem(event: RecordedEvent, previous: { revision: number; hash: string } | undefined): LedgerFinding | undefined {
  const hashed = hashRecordedEvent(event);
  return chainProblem(hashed, hashed.computed, previous);
}

/** An event reduced to what its link and hash are checked on. */
export interface ChainedEvent {
  streamId: string;
  revision: number;
  position: bigint;
  hash: string;
  prevHash: unknown;
}

/** An event with the hash of its content as stored, and the previous hash its metadata names. */
export type HashedEvent = ChainedEvent & { computed: string };

/**
 * A raw row with its content hash and `prevHash` worked out. Metadata that is not JSON (written by
 * hand into the table) hashes to nothing, so the event is reported as changed.
 */
export function hashRawEvent(row: RawRecordedEvent): HashedEvent {
  let metadata: { prevHash?: unknown };
  try {
    metadata = JSON.parse(row.metadataJson) as { prevHash?: unknown };
  } catch {
    return { streamId: row.streamId, revision: row.revision, position: row.position, hash: row.hash, prevHash: null, computed: unreadable };
  }
  // Stores write canonical texts, so hashing them as stored is the event's hash; older rows
  // written otherwise are parsed and hashed in canonical form.
  let computed = hashOfCanonical(row, row.dataJson, row.metadataJson);
  if (computed !== row.hash) {
    try {
      computed = hashEvent({ ...row, data: JSON.parse(row.dataJson) as unknown, metadata });
    } catch {
      computed = unreadable;
    }
  }
  return { streamId: row.streamId, revision: row.revision, position: row.position, hash: row.hash, prevHash: metadata.prevHash ?? null, computed };
}

/** What an event whose stored data or metadata is not JSON "hashes" to. */
const unreadable = '(nothing: its stored data or metadata is not JSON)';

/** A decoded event with its content hash worked out. */
export function hashRecordedEvent(event: RecordedEvent): HashedEvent {
  return { streamId: event.streamId, revision: event.revision, position: event.position, hash: event.hash, prevHash: event.metadata.prevHash ?? null, computed: hashEvent(event) };
}

/** The events at positions `expected` to `next - 1` are missing (a ledger whose positions have no gaps). */
export const positionGap = (expected: bigint, next: bigint): LedgerFinding => ({
  kind: 'POSITION_GAP',
  position: expected,
  detail: `the events at positions ${expected} to ${next - 1n} are missing`,
});

/** As linkProblem, for an event whose content hash (`computed`) was worked out already. */
export function chainProblem(event: ChainedEvent, computed: string, previous: { revision: number; hash: string } | undefined): LedgerFinding | undefined {
  const at = { streamId: event.streamId, revision: event.revision, position: event.position };
  if (computed !== event.hash) {
    return { kind: 'HASH_MISMATCH', ...at, detail: `the event's content hashes to ${computed}, not to its recorded hash ${event.hash}` };
  }
  const expectedRevision = previous === undefined ? 0 : previous.revision + 1;
  if (event.revision !== expectedRevision) {
    return { kind: 'CHAIN_BROKEN', ...at, detail: `revision ${event.revision} follows ${previous === undefined ? 'nothing' : `revision ${previous.revision}`}` };
  }
  const expectedPrev = previous?.hash ?? null;
  if ((event.prevHash ?? null) !== expectedPrev) {
    return { kind: 'CHAIN_BROKEN', ...at, detail: `prevHash ${String(event.prevHash)} is not the hash of the previous event (${String(expectedPrev)})` };
  }
  return undefined;
}

/** The events of one stream checked against themselves and the head the log recorded for it. */
export function streamProblem(streamId: string, events: readonly RecordedEvent[], recorded: RecordedStreamHead | undefined): LedgerFinding | undefined {
  let previous: { revision: number; hash: string } | undefined;
  for (const event of events) {
    const problem = linkProblem(event, previous);
    if (problem) return problem;
    previous = event;
  }
  if (recorded === undefined) return undefined; // the log has not taken this stream's events yet
  const last = events.at(-1);
  if (last === undefined) {
    return { kind: 'STREAM_MISSING', streamId, revision: recorded.revision, detail: `the stream is gone, but the log took its events up to revision ${recorded.revision}` };
  }
  if (last.revision < recorded.revision) {
    return {
      kind: 'HEAD_BEHIND_LOG',
      streamId,
      revision: last.revision,
      detail: `the stream ends at revision ${last.revision}, but the log took its events up to revision ${recorded.revision}: events were removed`,
    };
  }
  const atRecorded = events[recorded.revision];
  if (atRecorded?.hash !== recorded.hash) {
    return { kind: 'CHAIN_BROKEN', streamId, revision: recorded.revision, detail: `revision ${recorded.revision} is not the event the log took (hash ${recorded.hash})` };
  }
  return undefined;
}

export interface LogKeeperOptions {
  /** Global positions are 1, 2, 3, ... with no gap (SQLite, PostgreSQL); a gap is then a removed event. */
  densePositions: boolean;
  /** Events taken before a save (default 256). */
  batchSize?: number;
  /** Longest wait before events taken are saved (default 20 ms). */
  flushMs?: number;
  onFinding: (finding: LedgerFinding) => void;
  onError: (error: unknown) => void;
}

/**
 * Follows the ledger in global order and extends the log: each event is checked (its hash, its link
 * to the stream's previous event, and with dense positions that none is missing) and becomes the
 * next leaf of the tree. What it finds is recorded with the log and reported; the event still
 * becomes a leaf, because the tree commits to what the ledger holds.
 */
export class LogKeeper {
  /** The current run: everything one start builds, so that nothing of an earlier run leaks into it. */
  private run: KeeperRun | undefined;
  private flushing: Promise<void> = Promise.resolve();
  private readonly batchSize: number;
  private readonly flushMs: number;

  constructor(
    private readonly store: EventStore,
    private readonly log: LogStore,
    private readonly options: LogKeeperOptions,
  ) {
    this.batchSize = options.batchSize ?? 256;
    this.flushMs = options.flushMs ?? 20;
  }

  /** Leaves in the tree as saved. */
  get size(): number {
    return this.run?.savedSize ?? 0;
  }

  /** Follows the ledger from the saved state (a running run is stopped first); resolves once caught up. */
  async start(): Promise<void> {
    await this.stop();
    const saved = await this.log.load();
    const state = saved ?? { position: 0n, frontier: MerkleFrontier.empty() };
    const run: KeeperRun = { state, savedSize: state.frontier.size, nodes: [], positions: [], heads: new Map(), saved: new Map(), findings: [], broken: undefined, flushTimer: undefined, subscription: undefined };
    if (this.run !== undefined) return; // started again meanwhile: that start follows the ledger
    this.run = run;
    run.subscription = this.store.subscribeToAll((event) => this.take(run, event), { after: state.position, onError: (error) => this.options.onError(error) });
    await run.subscription.caughtUp;
    await this.flush();
  }

  /** Stops following and saves what was taken. */
  async stop(): Promise<void> {
    const run = this.run;
    if (!run) return;
    await run.subscription?.close();
    if (run.flushTimer) clearTimeout(run.flushTimer);
    run.flushTimer = undefined;
    await this.flush();
    if (this.run === run) this.run = undefined;
  }

  /** Saves what was taken so far (also called on a timer and when a batch is full). */
  flush(): Promise<void> {
    const run = this.run;
    if (!run) return this.flushing;
    this.flushing = this.flushing
      .then(() => this.save(run))
      .catch((error: unknown) => {
        // What was taken but not saved is lost with this run: it stops, and a new start re-reads it.
        run.broken = error;
        this.options.onError(error);
      });
    return this.flushing;
  }

  private async take(run: KeeperRun, event: RecordedEvent): Promise<void> {
    if (run.broken !== undefined) throw new Error('the ledger log keeper stopped after a failed save', { cause: run.broken });
    const { state } = run;
    // Taken already (a subscription may deliver again after a reconnect): each event is one leaf, once.
    if (event.position <= state.position) return;
    const previous = run.heads.get(event.streamId) ?? run.saved.get(event.streamId) ?? (await this.log.streamHead(event.streamId));
    if (this.run !== run || event.position <= state.position) return; // a new run took over meanwhile
    if (this.options.densePositions && event.position !== state.position + 1n) {
      this.found(run, positionGap(state.position + 1n, event.position));
    }
    const problem = linkProblem(event, previous);
    if (problem) this.found(run, problem);
    const leaf = state.frontier.size;
    state.frontier.append(eventLeaf(event), (height, index, hash) => {
      if (height >= storedNodeMinHeight) run.nodes.push({ height, index, hash });
    });
    state.position = event.position;
    if (!this.options.densePositions) run.positions.push(event.position);
    run.heads.set(event.streamId, { revision: event.revision, hash: event.hash, leaf });
    if (state.frontier.size - run.savedSize >= this.batchSize) await this.flush();
    else run.flushTimer ??= setTimeout(() => void this.flush(), this.flushMs);
  }

  private found(run: KeeperRun, finding: LedgerFinding): void {
    run.findings.push(finding);
    this.options.onFinding(finding);
  }

  private async save(run: KeeperRun): Promise<void> {
    if (run.flushTimer) clearTimeout(run.flushTimer);
    run.flushTimer = undefined;
    if (run.broken !== undefined || run.state.frontier.size === run.savedSize) return;
    // Taken synchronously, so events that arrive while this saves wait for the next save.
    const snapshot: LogState = { position: run.state.position, frontier: run.state.frontier.copy() };
    const nodes = run.nodes.splice(0);
    const positions = run.positions.splice(0);
    const findings = run.findings.splice(0);
    const heads = new Map(run.heads);
    const saved = await this.log.save(run.savedSize, snapshot, nodes, heads, findings, positions);
    if (!saved) {
      throw new Error(`another keeper moved the ledger log past ${run.savedSize} leaves; this one stops (restart it to follow from there)`);
    }
    run.savedSize = snapshot.frontier.size;
    // The saved heads are in the store now; those that moved since stay for the next save. This run
    // saved them (a save moves the log only from the size it last saved), so the recent ones are
    // remembered: the next event of a stream is mostly soon after the last, and needs no read.
    for (const [streamId, head] of heads) {
      if (run.heads.get(streamId) === head) run.heads.delete(streamId);
      run.saved.delete(streamId);
      run.saved.set(streamId, head);
    }
    for (const streamId of run.saved.keys()) {
      if (run.saved.size <= maxRememberedHeads) break;
      run.saved.delete(streamId);
    }
  }
}

const maxRememberedHeads = 10_000;

/** One start of a LogKeeper: the tree it extends and what it has not saved yet. */
interface KeeperRun {
  state: LogState;
  savedSize: number;
  nodes: TreeNode[];
  /** Positions of the leaves taken since the last save (ledgers with gaps in their positions). */
  positions: bigint[];
  heads: Map<string, RecordedStreamHead>;
  /** Heads this run saved most recently, oldest first (at most maxRememberedHeads). */
  saved: Map<string, RecordedStreamHead>;
  findings: LedgerFinding[];
  /** Set when a save failed: the run takes no more events. */
  broken: unknown;
  flushTimer: NodeJS.Timeout | undefined;
  subscription: Subscription | undefined;
}

/** Most streams remembered as inconsistent; past it the oldest are forgotten (and found again when read). */
const maxRememberedFindings = 10_000;

/**
 * The run-time check (fail closed): a stream is acted on only when its events chain and it still
 * reaches the head the log recorded for it. Streams found wrong, here or by the keeper, stay
 * refused until an operator has dealt with them (the finding is recorded with the log).
 */
export class LedgerIntegrity {
  private readonly inconsistent = new Map<string, LedgerFinding>();
  private readonly global: LedgerFinding[] = [];
  private count = 0;

  constructor(
    private readonly log: LogStore,
    private readonly report: (finding: LedgerFinding) => void,
  ) {}

  /** Takes in the findings recorded before this process started. */
  async start(): Promise<void> {
    for (const finding of await this.log.findings(maxRememberedFindings)) this.remember(finding);
  }

  /** A finding by the keeper or the start-up check. */
  found(finding: LedgerFinding): void {
    this.remember(finding);
    this.report(finding);
  }

  /**
   * Reads a stream with `read` and checks it: the events, and why the stream must not be acted on
   * (undefined when it is consistent with the log). The head the log recorded is read first: read
   * after the stream, it could already include an append made meanwhile and look ahead of it.
   */
  async read(streamId: string, read: () => Promise<RecordedEvent[]>): Promise<{ events: RecordedEvent[]; finding?: LedgerFinding | undefined }> {
    const recorded = await this.log.streamHead(streamId);
    const events = await read();
    // A finding about the whole ledger (a missing position, a rolled-back or rewritten log) concerns every stream.
    const known = this.global[0] ?? this.inconsistent.get(streamId);
    if (known) return { events, finding: known };
    const finding = streamProblem(streamId, events, recorded);
    if (finding) this.found(finding);
    return { events, finding };
  }

  /** Checks events read before (for tests and tools: the head the log recorded is read now). */
  async check(streamId: string, events: RecordedEvent[]): Promise<LedgerFinding | undefined> {
    return (await this.read(streamId, async () => events)).finding;
  }

  /** How many inconsistencies were found (since start, including those recorded before), and the first few, for /readyz. */
  summary(): { count: number; first: LedgerFinding[] } {
    return { count: this.count, first: [...this.global, ...this.inconsistent.values()].slice(0, 5) };
  }

  private remember(finding: LedgerFinding): void {
    this.count += 1;
    if (finding.streamId === undefined) {
      if (this.global.length < 100) this.global.push(finding);
      return;
    }
    if (this.inconsistent.has(finding.streamId)) return;
    this.inconsistent.set(finding.streamId, finding);
    if (this.inconsistent.size > maxRememberedFindings) this.inconsistent.delete(this.inconsistent.keys().next().value!);
  }
}

/** One line naming a finding, for logs, errors and /readyz. */
export function describeFinding(finding: LedgerFinding): string {
  const where = [
    finding.streamId === undefined ? undefined : `stream ${finding.streamId}`,
    finding.revision === undefined ? undefined : `revision ${finding.revision}`,
    finding.position === undefined ? undefined : `position ${finding.position}`,
  ].filter((part) => part !== undefined);
  return `${finding.kind}${where.length ? ` at ${where.join(', ')}` : ''}: ${finding.detail}`;
}

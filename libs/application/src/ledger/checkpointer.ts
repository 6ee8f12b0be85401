import type { Hash } from './merkle';
import type { LedgerFinding, LogStore, RecordedCheckpoint } from './ledger-log';
import type { TreeReader } from './tree-reader';

/** A checkpoint handed to a witness, with the proof that it extends the witness's previous one. */
export interface CheckpointHandover {
  checkpoint: RecordedCheckpoint;
  /** The checkpoint the proof starts from (the witness's latest, else the previously recorded one). */
  previous?: { size: number; rootHash: Hash } | undefined;
  /** RFC 9162 consistency proof from `previous` to `checkpoint` (empty without a previous one). */
  consistency: Hash[];
}

/** Keeps signed checkpoints outside the database (an append-only file, a webhook receiver). */
export interface Witness {
  readonly name: string;
  /** The last checkpoint the witness holds, when it can tell; proofs for it start there. */
  latest(): Promise<{ size: number; rootHash: Hash } | undefined>;
  /** Hands a checkpoint over; rejects with WitnessRefusedError when the witness refuses it. */
  witness(handover: CheckpointHandover): Promise<void>;
}

/** The witness checked the checkpoint and refused it: it does not extend what the witness holds. */
export class WitnessRefusedError extends Error {
  override readonly name = 'WitnessRefusedError';
}

export interface CheckpointSigner {
  sign(checkpoint: { size: number; rootHash: Hash }): string;
}

export interface CheckpointerOptions {
  /** Checkpoint once the tree has grown by this many events... */
  everyEvents: number;
  /** ...or, if it grew at all, once this long has passed since the last checkpoint. */
  intervalMs: number;
  /** How often to look at the tree (default 1 s, or the interval if shorter). */
  pollMs?: number;
  now?: () => number;
  onFinding: (finding: LedgerFinding) => void;
  onError: (error: unknown, witness?: string) => void;
  onCheckpoint?: (checkpoint: RecordedCheckpoint) => void;
}

/**
 * Signs checkpoints of the ledger's Merkle tree (C2SP tlog-checkpoint) every N events or T
 * seconds, records each with the log and hands it to the witnesses with the proof that it extends
 * what each holds. A witness that refuses one (it does not extend what the witness holds) is a
 * finding: the log was rolled back or rewritten. (That the events still match the log is what the
 * keeper and `verifyLedger` check.)
 */
export class Checkpointer {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> = Promise.resolve();
  private lastAt = 0;
  private last: RecordedCheckpoint | undefined;
  private readonly now: () => number;

  constructor(
    private readonly log: LogStore,
    private readonly tree: TreeReader,
    private readonly signer: CheckpointSigner,
    private readonly witnesses: readonly Witness[],
    private readonly options: CheckpointerOptions,
  ) {
    this.now = options.now ?? Date.now;
  }

  /** Checkpoints on a timer from now on. */
  async start(): Promise<void> {
    this.last = await this.log.latestCheckpoint();
    this.lastAt = this.now();
    const poll = this.options.pollMs ?? Math.min(1000, this.options.intervalMs);
    this.timer = setInterval(() => void this.tick(), poll);
    this.timer.unref();
  }

  /** Stops the timer and signs a last checkpoint of whatever grew since the previous one. */
  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.running;
    await this.checkpoint(true);
  }

  /** Signs, records and hands over a checkpoint now if the tree grew (`force`), or if it is due. */
  checkpoint(force = false): Promise<void> {
    this.running = this.running.then(() => this.checkpointNow(force)).catch((error: unknown) => this.options.onError(error));
    return this.running;
  }

  private tick(): void {
    void this.checkpoint(false);
  }

  private async checkpointNow(force: boolean): Promise<void> {
    const state = await this.log.load();
    if (!state) return;
    const size = state.frontier.size;
    const lastSize = this.last?.size ?? 0;
    if (size <= lastSize) return;
    const due = force || size - lastSize >= this.options.everyEvents || this.now() - this.lastAt >= this.options.intervalMs;
    if (!due) return;
    const rootHash = state.frontier.root();
    const checkpoint: RecordedCheckpoint = { size, rootHash, note: this.signer.sign({ size, rootHash }) };
    await this.log.recordCheckpoint(checkpoint);
    const previous = this.last;
    this.last = checkpoint;
    this.lastAt = this.now();
    this.options.onCheckpoint?.(checkpoint);
    for (const witness of this.witnesses) {
      try {
        const from = (await witness.latest()) ?? previous;
        const consistency = from && from.size < size ? await this.tree.consistencyProof(from.size, size) : [];
        await witness.witness({ checkpoint, previous: from && from.size < size ? { size: from.size, rootHash: from.rootHash } : undefined, consistency });
      } catch (error) {
        if (error instanceof WitnessRefusedError) {
          this.options.onFinding({ kind: 'CHECKPOINT_MISMATCH', detail: `witness ${witness.name} refused the checkpoint at ${size} events: ${error.message}` });
        } else {
          this.options.onError(error, witness.name);
        }
      }
    }
  }
}

import type { EventStore, RecordedEvent } from '../ports/event-store.port';
import type { LogStore } from './ledger-log';
import { eventLeaf, storedNodeMinHeight } from './ledger-log';
import type { Hash, RangeHash } from './merkle';
import { consistencyProof, inclusionProof, nodeHash, splitPoint } from './merkle';

/**
 * Reads the ledger's Merkle tree for proofs: subtree roots the log stored (16 leaves and more),
 * and leaves recomputed from the events (leaf i is the event at position i + 1 in the stores whose
 * positions have no gaps; elsewhere the log recorded each leaf's position). A proof needs
 * O(log n) such reads.
 */
export class TreeReader {
  constructor(
    private readonly events: EventStore,
    private readonly log: LogStore,
    private readonly densePositions: boolean,
  ) {}

  /** The leaf of the event at `position` (where the log took it, in a ledger with gaps). */
  async leafOf(position: bigint): Promise<number | undefined> {
    return this.densePositions ? Number(position) - 1 : this.log.leafAt(position);
  }

  /** The inclusion proof of leaf `index` in the tree of `size` leaves. */
  inclusionProof(index: number, size: number): Promise<Hash[]> {
    return this.prove((mth) => inclusionProof(index, size, mth));
  }

  /** The consistency proof from the tree of `first` leaves to the tree of `second`. */
  consistencyProof(first: number, second: number): Promise<Hash[]> {
    return this.prove((mth) => consistencyProof(first, second, mth));
  }

  /** MTH of the leaves [start, end). */
  async rangeHash(start: number, end: number): Promise<Hash> {
    return (await this.rangeHashes([[start, end]]))[0]!;
  }

  /** Runs a proof twice: once to learn which ranges it needs, then with their hashes read. */
  private async prove(proof: (mth: RangeHash) => Hash[]): Promise<Hash[]> {
    const ranges: [number, number][] = [];
    const placeholder = Buffer.alloc(32);
    proof((start, end) => (ranges.push([start, end]), placeholder));
    const hashes = await this.rangeHashes(ranges);
    const known = new Map(ranges.map(([start, end], i) => [`${start}:${end}`, hashes[i]!]));
    return proof((start, end) => known.get(`${start}:${end}`)!);
  }

  private async rangeHashes(ranges: readonly [number, number][]): Promise<Hash[]> {
    return Promise.all(ranges.map(([start, end]) => this.mth(start, end)));
  }

  private async mth(start: number, end: number): Promise<Hash> {
    const n = end - start;
    if (n <= 2 ** storedNodeMinHeight) return this.fromLeaves(start, end);
    const height = Math.log2(n);
    if (Number.isInteger(height) && start % n === 0) {
      const stored = (await this.log.nodes([{ height, index: start / n }])).get(`${height}:${start / n}`);
      if (stored) return stored;
    }
    const k = splitPoint(n);
    const [left, right] = await Promise.all([this.mth(start, start + k), this.mth(start + k, end)]);
    return nodeHash(left, right);
  }

  private async fromLeaves(start: number, end: number): Promise<Hash> {
    const events = await this.leafEvents(start, end);
    const leaves = events.map(eventLeaf);
    const hash = (from: number, to: number): Hash => {
      if (to - from === 1) return leaves[from]!;
      const k = splitPoint(to - from);
      return nodeHash(hash(from, from + k), hash(from + k, to));
    };
    return hash(0, leaves.length);
  }

  /** The events of leaves [start, end), each where the tree says it is. */
  private async leafEvents(start: number, end: number): Promise<RecordedEvent[]> {
    const missing = () => new Error(`the ledger does not hold the events of leaves ${start} to ${end - 1}: verify it (approvals audit verify)`);
    if (this.densePositions) {
      const events = await this.events.readAll({ after: BigInt(start), maxCount: end - start });
      if (events.length !== end - start || events[0]?.position !== BigInt(start + 1)) throw missing();
      return events;
    }
    // Read after the previous leaf's event: positions between events are no valid place to start.
    const recorded = await this.log.leafPositions(start === 0 ? 0 : start - 1, start === 0 ? end - start : end - start + 1);
    const positions = start === 0 ? recorded : recorded.slice(1);
    if (positions.length !== end - start || (start > 0 && recorded.length !== positions.length + 1)) throw missing();
    const events = await this.events.readAll({ after: start === 0 ? 0n : recorded[0]!, maxCount: end - start });
    if (events.length !== positions.length || events.some((event, i) => event.position !== positions[i])) throw missing();
    return events;
  }
}

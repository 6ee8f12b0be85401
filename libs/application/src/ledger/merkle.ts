import { hash as oneShotHash } from 'node:crypto';

/**
 * The Merkle tree over the ledger's global order (I8), hashed as RFC 9162 section 2.1 says:
 * a leaf is SHA-256(0x00 || data), an interior node SHA-256(0x01 || left || right), and a tree of
 * n > 1 leaves splits at the largest power of two below n. The leaf data of a ledger event is its
 * own hash (32 bytes), which commits to its stream, revision, id, type, data and metadata, and
 * through `prevHash` to its predecessor in the stream.
 *
 * Sizes and indexes are plain numbers (exact up to 2^53), so halving uses division, never `>>`.
 */

export type Hash = Buffer;

// One-shot hashing to a latin1 string, then copying it into a buffer: in Node 24 this is about
// three times faster than createHash().update().digest() or a 'buffer' digest for inputs this
// small, and verification hashes two or three times per event (`npm run bench -- --mode verify`).
const sha256 = (data: Uint8Array): Hash => Buffer.from(oneShotHash('sha256', data, 'binary'), 'latin1');

/** MTH({}) = SHA-256 of nothing. */
export const emptyTreeHash: Hash = sha256(new Uint8Array(0));

const leafInput = Buffer.alloc(33);
const nodeInput = Buffer.alloc(65);
nodeInput[0] = 1;

/** SHA-256(0x00 || data); `data` of 32 bytes reuses one buffer. */
export const leafHash = (data: Uint8Array): Hash => {
  if (data.length !== 32) return sha256(Buffer.concat([leafInput.subarray(0, 1), data]));
  leafInput.set(data, 1);
  return sha256(leafInput);
};
/** leafHash of the bytes a hex string spells (an event's hash). */
export const leafHashOfHex = (hex: string): Hash => {
  // A text that is not 64 hex digits (a damaged hash column) is hashed as Buffer.from decodes it.
  if (hex.length !== 64 || leafInput.write(hex, 1, 'hex') !== 32) return leafHash(Buffer.from(hex, 'hex'));
  return sha256(leafInput);
};
/** SHA-256(0x01 || left || right) for two 32-byte hashes. */
export const nodeHash = (left: Uint8Array, right: Uint8Array): Hash => {
  if (left.length !== 32 || right.length !== 32) return sha256(Buffer.concat([nodeInput.subarray(0, 1), left, right]));
  nodeInput.set(left, 1);
  nodeInput.set(right, 33);
  return sha256(nodeInput);
};

/** The largest power of two smaller than n (n > 1). */
export function splitPoint(n: number): number {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

const half = (n: number) => Math.floor(n / 2);
const isOdd = (n: number) => n % 2 === 1;

/**
 * The right edge of a tree: the roots of its perfect subtrees, largest first (one per set bit of
 * the size). Appending is amortised O(1) and the root O(log n), so the log follows the ledger with
 * O(log n) memory; two frontiers of the same size and leaves are equal.
 */
export class MerkleFrontier {
  private constructor(
    private sizeNow: number,
    /** [height, hash] of each perfect subtree, largest (leftmost) first. */
    private readonly stack: [number, Hash][],
  ) {}

  static empty(): MerkleFrontier {
    return new MerkleFrontier(0, []);
  }

  /** Restores a frontier saved with `toJSON`; refuses one whose shape cannot be of that size. */
  static fromJSON(saved: { size: number; hashes: string[] }): MerkleFrontier {
    const heights: number[] = [];
    for (let bit = 52; bit >= 0; bit -= 1) if (Math.floor(saved.size / 2 ** bit) % 2 === 1) heights.push(bit);
    if (!Number.isSafeInteger(saved.size) || saved.size < 0 || heights.length !== saved.hashes.length) {
      throw new RangeError(`a frontier of size ${saved.size} has ${heights.length} subtrees, not ${saved.hashes.length}`);
    }
    return new MerkleFrontier(
      saved.size,
      saved.hashes.map((hex, i) => [heights[i]!, Buffer.from(hex, 'hex')]),
    );
  }

  get size(): number {
    return this.sizeNow;
  }

  /**
   * Appends one leaf, given as its leaf hash. `completed` hears of each perfect subtree the leaf
   * completes (height >= 1), as the `index`-th node of its height, for storage.
   */
  append(leaf: Hash, completed?: (height: number, index: number, hash: Hash) => void): void {
    let height = 0;
    let hash = leaf;
    while (this.stack.length > 0 && this.stack[this.stack.length - 1]![0] === height) {
      hash = nodeHash(this.stack.pop()![1], hash);
      height += 1;
      completed?.(height, (this.sizeNow + 1) / 2 ** height - 1, hash);
    }
    this.stack.push([height, hash]);
    this.sizeNow += 1;
  }

  /** MTH of the leaves appended so far. */
  root(): Hash {
    if (this.stack.length === 0) return emptyTreeHash;
    let hash = this.stack[this.stack.length - 1]![1];
    for (let i = this.stack.length - 2; i >= 0; i -= 1) hash = nodeHash(this.stack[i]![1], hash);
    return hash;
  }

  copy(): MerkleFrontier {
    return new MerkleFrontier(this.sizeNow, this.stack.map(([height, hash]) => [height, hash]));
  }

  toJSON(): { size: number; hashes: string[] } {
    return { size: this.sizeNow, hashes: this.stack.map(([, hash]) => hash.toString('hex')) };
  }
}

/** MTH of the leaves [start, end) of a tree: how proofs read the tree they prove. */
export type RangeHash = (start: number, end: number) => Hash;

/**
 * RangeHash over leaf hashes held in memory, remembering the perfect subtrees it computed, so a
 * run of proofs over one tree costs little more than the first.
 */
export function rangeHashOver(leaves: readonly Hash[]): RangeHash {
  const perfect = new Map<string, Hash>();
  const mth = (start: number, end: number): Hash => {
    const n = end - start;
    if (n === 0) return emptyTreeHash;
    if (n === 1) return leaves[start]!;
    const isPerfect = isPowerOfTwo(n);
    const key = `${start}:${n}`;
    if (isPerfect) {
      const known = perfect.get(key);
      if (known) return known;
    }
    const k = splitPoint(n);
    const hash = nodeHash(mth(start, start + k), mth(start + k, end));
    if (isPerfect) perfect.set(key, hash);
    return hash;
  };
  return mth;
}

/** The inclusion proof (audit path) of leaf `index` in the tree of `size` leaves (RFC 9162 2.1.3.1). */
export function inclusionProof(index: number, size: number, mth: RangeHash): Hash[] {
  if (!(index >= 0 && index < size)) throw new RangeError(`leaf ${index} is not in a tree of ${size} leaves`);
  const path: Hash[] = [];
  const walk = (m: number, start: number, end: number): void => {
    const n = end - start;
    if (n === 1) return;
    const k = splitPoint(n);
    if (m < k) {
      walk(m, start, start + k);
      path.push(mth(start + k, end));
    } else {
      walk(m - k, start + k, end);
      path.push(mth(start, start + k));
    }
  };
  walk(index, 0, size);
  return path;
}

/** The consistency proof between the trees of `first` and `second` leaves (RFC 9162 2.1.4.1). */
export function consistencyProof(first: number, second: number, mth: RangeHash): Hash[] {
  if (!(first >= 0 && first <= second)) throw new RangeError(`no consistency proof from ${first} to ${second} leaves`);
  if (first === 0 || first === second) return [];
  const proof: Hash[] = [];
  const sub = (m: number, start: number, end: number, complete: boolean): void => {
    const n = end - start;
    if (m === n) {
      if (!complete) proof.push(mth(start, end));
      return;
    }
    const k = splitPoint(n);
    if (m <= k) {
      sub(m, start, start + k, complete);
      proof.push(mth(start + k, end));
    } else {
      sub(m - k, start + k, end, false);
      proof.push(mth(start, start + k));
    }
  };
  sub(first, 0, second, true);
  return proof;
}

/** The root an inclusion proof leads to, or undefined when the proof cannot be one for that index and size (RFC 9162 2.1.3.2). */
export function rootFromInclusionProof(index: number, size: number, leaf: Hash, path: readonly Hash[]): Hash | undefined {
  if (!(Number.isSafeInteger(index) && Number.isSafeInteger(size) && index >= 0 && index < size)) return undefined;
  let fn = index;
  let sn = size - 1;
  let r = leaf;
  for (const p of path) {
    if (sn === 0) return undefined;
    if (isOdd(fn) || fn === sn) {
      r = nodeHash(p, r);
      if (!isOdd(fn)) {
        while (!isOdd(fn) && fn !== 0) {
          fn = half(fn);
          sn = half(sn);
        }
      }
    } else {
      r = nodeHash(r, p);
    }
    fn = half(fn);
    sn = half(sn);
  }
  return sn === 0 ? r : undefined;
}

export function verifyInclusion(index: number, size: number, leaf: Hash, path: readonly Hash[], root: Hash): boolean {
  const computed = rootFromInclusionProof(index, size, leaf, path);
  return computed !== undefined && computed.equals(root);
}

/**
 * Whether `proof` shows that the tree of `second` leaves with root `secondRoot` extends the tree
 * of `first` leaves with root `firstRoot` (RFC 9162 2.1.4.2).
 */
export function verifyConsistency(first: number, second: number, firstRoot: Hash, secondRoot: Hash, proof: readonly Hash[]): boolean {
  if (!(Number.isSafeInteger(first) && Number.isSafeInteger(second) && first >= 0 && first <= second)) return false;
  if (first === second) return proof.length === 0 && firstRoot.equals(secondRoot);
  if (first === 0) return proof.length === 0 && firstRoot.equals(emptyTreeHash);
  if (proof.length === 0) return false;
  // A first tree that is a perfect subtree of the second is its own first step.
  const path = isPowerOfTwo(first) ? [firstRoot, ...proof] : [...proof];
  let fn = first - 1;
  let sn = second - 1;
  while (isOdd(fn)) {
    fn = half(fn);
    sn = half(sn);
  }
  let fr = path[0]!;
  let sr = path[0]!;
  for (const c of path.slice(1)) {
    if (sn === 0) return false;
    if (isOdd(fn) || fn === sn) {
      fr = nodeHash(c, fr);
      sr = nodeHash(c, sr);
      if (!isOdd(fn)) {
        while (!isOdd(fn) && fn !== 0) {
          fn = half(fn);
          sn = half(sn);
        }
      }
    } else {
      sr = nodeHash(sr, c);
    }
    fn = half(fn);
    sn = half(sn);
  }
  return fr.equals(firstRoot) && sr.equals(secondRoot) && sn === 0;
}

function isPowerOfTwo(n: number): boolean {
  while (n > 1 && n % 2 === 0) n /= 2;
  return n === 1;
}

import { createHash } from 'node:crypto';
import fc from 'fast-check';
import {
  MerkleFrontier,
  consistencyProof,
  emptyTreeHash,
  inclusionProof,
  leafHash,
  rangeHashOver,
  rootFromInclusionProof,
  verifyConsistency,
  verifyInclusion,
} from './merkle';

// The reference vectors of Certificate Transparency (RFC 6962, whose tree hashing RFC 9162 keeps).
const referenceLeaves = ['', '00', '10', '2021', '3031', '40414243', '5051525354555657', '606162636465666768696a6b6c6d6e6f'].map((hex) =>
  leafHash(Buffer.from(hex, 'hex')),
);
const referenceRoots = [
  '6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d',
  'fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125',
  'aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77',
  'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
  '4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4',
  '76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef',
  'ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c',
  '5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328',
];
const hex = (hashes: Buffer[]) => hashes.map((h) => h.toString('hex'));
const leavesOf = (n: number) => Array.from({ length: n }, (_, i) => leafHash(createHash('sha256').update(`event ${i}`).digest()));

describe('Merkle tree (RFC 9162 hashing)', () => {
  it('has the reference roots for every size up to eight, built incrementally', () => {
    const frontier = MerkleFrontier.empty();
    expect(frontier.root()).toEqual(emptyTreeHash);
    expect(emptyTreeHash.toString('hex')).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
    referenceLeaves.forEach((leaf, i) => {
      frontier.append(leaf);
      expect([frontier.size, frontier.root().toString('hex')]).toEqual([i + 1, referenceRoots[i]]);
      expect(rangeHashOver(referenceLeaves)(0, i + 1).toString('hex')).toBe(referenceRoots[i]);
    });
  });

  it('gives the reference inclusion proofs, and they verify', () => {
    const mth = rangeHashOver(referenceLeaves);
    const root = Buffer.from(referenceRoots[7]!, 'hex');
    const proof0 = inclusionProof(0, 8, mth);
    expect(hex(proof0)).toEqual([
      '96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7',
      '5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e',
      '6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4',
    ]);
    expect(hex(inclusionProof(5, 8, mth))).toEqual([
      'bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b',
      'ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0',
      'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
    ]);
    expect(verifyInclusion(0, 8, referenceLeaves[0]!, proof0, root)).toBe(true);
    expect(verifyInclusion(1, 8, referenceLeaves[0]!, proof0, root)).toBe(false);
    expect(verifyInclusion(0, 8, referenceLeaves[1]!, proof0, root)).toBe(false);
    expect(verifyInclusion(0, 9, referenceLeaves[0]!, proof0, root)).toBe(false);
  });

  it('gives the reference consistency proof from 1 to 8 leaves, and it verifies', () => {
    const mth = rangeHashOver(referenceLeaves);
    const proof = consistencyProof(1, 8, mth);
    expect(hex(proof)).toEqual(hex(inclusionProof(0, 8, mth)));
    expect(verifyConsistency(1, 8, Buffer.from(referenceRoots[0]!, 'hex'), Buffer.from(referenceRoots[7]!, 'hex'), proof)).toBe(true);
  });

  it('proves every leaf of every tree up to 70 leaves, and every pair of sizes consistent', () => {
    const leaves = leavesOf(70);
    const mth = rangeHashOver(leaves);
    for (let size = 1; size <= 70; size += 1) {
      const root = mth(0, size);
      for (let index = 0; index < size; index += 1) {
        expect(rootFromInclusionProof(index, size, leaves[index]!, inclusionProof(index, size, mth))).toEqual(root);
      }
      for (let first = 0; first <= size; first += 1) {
        expect(verifyConsistency(first, size, mth(0, first), root, consistencyProof(first, size, mth))).toBe(true);
      }
    }
  });

  it('refuses any changed hash in a proof, a wrong size or a wrong root', () => {
    const leaves = leavesOf(40);
    const mth = rangeHashOver(leaves);
    fc.assert(
      fc.property(fc.integer({ min: 2, max: 40 }), fc.nat(), fc.nat(), (size, a, b) => {
        const index = a % size;
        const proof = inclusionProof(index, size, mth);
        const root = mth(0, size);
        const corrupted = proof.map((hash, i) => (i === b % proof.length ? Buffer.from(hash.map((byte, j) => (j === 0 ? byte ^ 1 : byte))) : hash));
        expect(verifyInclusion(index, size, leaves[index]!, corrupted, root)).toBe(false);
        expect(verifyInclusion(index, size, leaves[index]!, proof.slice(1), root)).toBe(false);

        const first = 1 + (b % (size - 1));
        const consistency = consistencyProof(first, size, mth);
        expect(verifyConsistency(first, size, mth(0, first), root, consistency)).toBe(true);
        // A first tree with another root (a rewritten history) is not consistent with this one.
        expect(verifyConsistency(first, size, leafHash(Buffer.from('forged')), root, consistency)).toBe(false);
        expect(verifyConsistency(first, size, mth(0, first), mth(0, size - 1 || 1), consistency)).toBe(size === 1);
        if (consistency.length > 0) {
          expect(verifyConsistency(first, size, mth(0, first), root, consistency.slice(0, -1))).toBe(false);
        }
      }),
    );
  });

  it('saves and restores a frontier, and refuses one of the wrong shape', () => {
    const frontier = MerkleFrontier.empty();
    for (const leaf of leavesOf(13)) frontier.append(leaf);
    const restored = MerkleFrontier.fromJSON(JSON.parse(JSON.stringify(frontier)) as { size: number; hashes: string[] });
    expect(restored.root()).toEqual(frontier.root());
    restored.append(leavesOf(14)[13]!);
    expect(restored.root()).toEqual(rangeHashOver(leavesOf(14))(0, 14));
    expect(() => MerkleFrontier.fromJSON({ size: 13, hashes: [] })).toThrow('a frontier of size 13 has 3 subtrees, not 0');
  });
});

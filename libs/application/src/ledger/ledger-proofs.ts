import type { EventStore } from '../ports/event-store.port';
import type { NoteVerifier } from './checkpoint';
import { CheckpointFormatError, openCheckpoint } from './checkpoint';
import { hashEvent } from './event-hash';
import type { LogStore, RecordedCheckpoint } from './ledger-log';
import { eventLeaf } from './ledger-log';
import type { Hash } from './merkle';
import { verifyConsistency, verifyInclusion } from './merkle';
import { TreeReader } from './tree-reader';

/** The format name in every inclusion proof file, so a verifier knows what it reads. */
export const inclusionProofFormat = 'approvals-inclusion-proof/1';

/** An event with everything its hash covers, its leaf in the tree and its audit path. */
export interface ProvenEvent {
  position: string;
  leafIndex: number;
  streamId: string;
  revision: number;
  eventId: string;
  type: string;
  data: unknown;
  metadata: unknown;
  /** SHA-256 (hex) of the canonical event: the leaf's data. */
  hash: string;
  /** RFC 9162 inclusion proof of the leaf in the checkpoint's tree, base64. */
  auditPath: string[];
}

/** Proof that a stream's events are in the tree a signed checkpoint commits to: checkable offline. */
export interface InclusionProofFile {
  format: typeof inclusionProofFormat;
  streamId: string;
  /** The C2SP signed note of the checkpoint. */
  checkpoint: string;
  treeSize: number;
  events: ProvenEvent[];
  /** Events of the stream appended after the checkpoint: proven by a later one. */
  notYetCheckpointed: number;
}

/** Builds proofs from the ledger and its log, against the signed checkpoints it recorded. */
export class LedgerProofs {
  private readonly tree: TreeReader;

  constructor(
    private readonly events: EventStore,
    private readonly log: LogStore,
    densePositions: boolean,
  ) {
    this.tree = new TreeReader(events, log, densePositions);
  }

  /** The inclusion proof of every event of `streamId` in the latest checkpoint, or undefined before the first checkpoint. */
  async inclusion(streamId: string): Promise<InclusionProofFile | undefined> {
    const checkpoint = await this.log.latestCheckpoint();
    if (!checkpoint) return undefined;
    const stream = await this.events.readStream(streamId);
    const leaves = await Promise.all(stream.map((event) => this.tree.leafOf(event.position)));
    const covered = stream.flatMap((event, i) => (leaves[i] !== undefined && leaves[i] < checkpoint.size ? [{ event, leaf: leaves[i] }] : []));
    const events = await Promise.all(
      covered.map(async ({ event, leaf }): Promise<ProvenEvent> => ({
        position: event.position.toString(),
        leafIndex: leaf,
        streamId: event.streamId,
        revision: event.revision,
        eventId: event.eventId,
        type: event.type,
        data: event.data,
        metadata: event.metadata,
        hash: event.hash,
        auditPath: (await this.tree.inclusionProof(leaf, checkpoint.size)).map((hash) => hash.toString('base64')),
      })),
    );
    return { format: inclusionProofFormat, streamId, checkpoint: checkpoint.note, treeSize: checkpoint.size, events, notYetCheckpointed: stream.length - covered.length };
  }

  /** The consistency proof between two recorded checkpoints (`toSize` 0: the latest). */
  async consistency(fromSize: number, toSize: number): Promise<{ from: RecordedCheckpoint; to: RecordedCheckpoint; proof: Hash[] } | string> {
    const to = toSize === 0 ? await this.log.latestCheckpoint() : await this.checkpointAt(toSize);
    if (!to) return toSize === 0 ? 'no checkpoint has been signed yet' : `no checkpoint was signed at ${toSize} events`;
    const from = await this.checkpointAt(fromSize);
    if (!from) return `no checkpoint was signed at ${fromSize} events`;
    if (from.size > to.size) return `the checkpoint at ${fromSize} events comes after the one at ${to.size}`;
    return { from, to, proof: await this.tree.consistencyProof(from.size, to.size) };
  }

  private async checkpointAt(size: number): Promise<RecordedCheckpoint | undefined> {
    const [found] = await this.log.checkpoints(size - 1, 1);
    return found?.size === size ? found : undefined;
  }
}

export interface ProofVerdict {
  ok: boolean;
  /** The checkpoint's origin, size and root, when its signature verified. */
  checkpoint?: { origin: string; size: number; rootHash: string; signedBy: string[] } | undefined;
  /** What is wrong, one line each; empty when ok. */
  problems: string[];
  events: number;
}

/**
 * Checks an inclusion proof file with no server: the checkpoint's signature with the given keys,
 * each event's hash from its content, each hash's inclusion in the checkpoint's tree, and the
 * events' links to one another.
 */
export function verifyInclusionProofFile(proof: unknown, verifiers: readonly NoteVerifier[]): ProofVerdict {
  const file = proof as Partial<InclusionProofFile>;
  if (file?.format !== inclusionProofFormat || !Array.isArray(file.events) || typeof file.checkpoint !== 'string') {
    return { ok: false, problems: [`not an inclusion proof (format ${inclusionProofFormat})`], events: 0 };
  }
  let opened;
  try {
    opened = openCheckpoint(file.checkpoint, verifiers);
  } catch (error) {
    return { ok: false, problems: [`the checkpoint does not verify: ${(error as CheckpointFormatError).message}`], events: file.events.length };
  }
  const { size, rootHash, origin } = opened.checkpoint;
  const problems: string[] = [];
  if (file.treeSize !== size) problems.push(`the file says the tree has ${file.treeSize} events, its checkpoint ${size}`);
  let previous: ProvenEvent | undefined;
  for (const event of file.events) {
    const where = `${event.streamId} revision ${event.revision} (position ${event.position})`;
    const computed = hashEvent({ streamId: event.streamId, revision: event.revision, eventId: event.eventId, type: event.type, data: event.data, metadata: event.metadata });
    if (computed !== event.hash) problems.push(`${where}: its content hashes to ${computed}, not to ${event.hash}`);
    const path = (event.auditPath ?? []).map((hash) => Buffer.from(hash, 'base64'));
    if (!/^[0-9a-f]{64}$/.test(event.hash) || !verifyInclusion(event.leafIndex, size, eventLeaf(event), path, rootHash)) {
      problems.push(`${where}: its audit path does not lead to the checkpoint's root`);
    }
    const prevHash = (event.metadata as { prevHash?: unknown } | null)?.prevHash ?? null;
    if (previous && previous.streamId === event.streamId && (event.revision !== previous.revision + 1 || prevHash !== previous.hash)) {
      problems.push(`${where}: it does not follow revision ${previous.revision}`);
    }
    previous = event;
  }
  return { ok: problems.length === 0, checkpoint: { origin, size, rootHash: rootHash.toString('hex'), signedBy: opened.verifiedBy }, problems, events: file.events.length };
}

/** Checks a consistency proof between two signed checkpoints, with no server. */
export function verifyConsistencyProof(
  from: string,
  to: string,
  proof: readonly Hash[],
  verifiers: readonly NoteVerifier[],
): { ok: true; fromSize: number; toSize: number } | { ok: false; problem: string } {
  try {
    const [first, second] = [openCheckpoint(from, verifiers).checkpoint, openCheckpoint(to, verifiers).checkpoint];
    if (first.origin !== second.origin) return { ok: false, problem: `the checkpoints are of different logs (${first.origin}, ${second.origin})` };
    return verifyConsistency(first.size, second.size, first.rootHash, second.rootHash, proof)
      ? { ok: true, fromSize: first.size, toSize: second.size }
      : { ok: false, problem: `the tree at ${second.size} events does not extend the tree at ${first.size}` };
  } catch (error) {
    return { ok: false, problem: `a checkpoint does not verify: ${(error as Error).message}` };
  }
}

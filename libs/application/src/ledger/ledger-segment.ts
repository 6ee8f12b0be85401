import type { ChainedEvent, HashedEvent, LedgerFinding } from './ledger-log';
import { chainProblem, eventLeaf, positionGap } from './ledger-log';

/**
 * A run of consecutive ledger events checked on its own, so that runs can be checked in parallel
 * (one per worker thread) and merged in order by verifyLedger: each event's content hash, each link
 * between two of its events, each gap between two of its positions, and the leaf hash of every
 * event. What depends on earlier runs (the link of a stream's first event here to its events before,
 * a gap before the first event, the tree) is left to the merge.
 */
export interface CheckedSegment {
  events: number;
  /** Positions of the first and last event (0n when there is none). */
  firstPosition: bigint;
  lastPosition: bigint;
  /** The leaf hash of each event, 32 bytes each, in order. */
  leaves: Uint8Array;
  /** Changed events, and broken links and gaps between two events of this segment. */
  findings: LedgerFinding[];
  /** Each stream with events here, in order of its first event here. */
  streams: SegmentStream[];
}

export interface SegmentStream {
  streamId: string;
  /**
   * Its first event here, to be linked to the stream's head before the segment; a first event whose
   * content does not match its hash is reported here already, and not linked.
   */
  first: ChainedEvent & { hashMatches: boolean };
  /** Its last event here: the stream's head after the segment. */
  last: { revision: number; hash: string };
}

/**
 * Checks a run of consecutive events (in global order) on its own, taking each as it comes (see
 * CheckedSegment); `expectedCount` sizes the leaves buffer.
 */
export function checkSegment(events: Iterable<HashedEvent>, densePositions: boolean, expectedCount = 1024): CheckedSegment {
  let leaves = new Uint8Array(expectedCount * 32);
  const findings: LedgerFinding[] = [];
  const streams = new Map<string, SegmentStream>();
  let expected: bigint | undefined;
  let count = 0;
  let firstPosition = 0n;
  for (const event of events) {
    if (count === 0) firstPosition = event.position;
    if (densePositions && expected !== undefined && event.position !== expected) {
      findings.push(positionGap(expected, event.position));
    }
    expected = event.position + 1n;
    const seen = streams.get(event.streamId);
    if (seen === undefined) {
      const hashMatches = event.computed === event.hash;
      if (!hashMatches) findings.push(chainProblem(event, event.computed, undefined)!);
      streams.set(event.streamId, {
        streamId: event.streamId,
        first: { streamId: event.streamId, revision: event.revision, position: event.position, hash: event.hash, prevHash: event.prevHash, hashMatches },
        last: { revision: event.revision, hash: event.hash },
      });
    } else {
      const problem = chainProblem(event, event.computed, seen.last);
      if (problem) findings.push(problem);
      seen.last = { revision: event.revision, hash: event.hash };
    }
    if (leaves.length < (count + 1) * 32) {
      const grown = new Uint8Array(leaves.length * 2);
      grown.set(leaves);
      leaves = grown;
    }
    leaves.set(eventLeaf(event), count * 32);
    count += 1;
  }
  return {
    events: count,
    firstPosition,
    lastPosition: expected === undefined ? 0n : expected - 1n,
    leaves: leaves.subarray(0, count * 32),
    findings,
    streams: [...streams.values()],
  };
}

// Original file: approvals/v1/audit.proto

import type { Long } from '@grpc/proto-loader';

export interface InclusionProof {
  /**
   * The proof file (format approvals-inclusion-proof/1, JSON): the signed checkpoint, and each
   * event with everything its hash covers, its leaf index and its audit path.
   */
  'proofJson'?: (string);
  'treeSize'?: (number | string | Long);
  'events'?: (number);
  /**
   * Events of the action appended after the checkpoint; the next checkpoint covers them.
   */
  'notYetCheckpointed'?: (number);
}

export interface InclusionProof__Output {
  /**
   * The proof file (format approvals-inclusion-proof/1, JSON): the signed checkpoint, and each
   * event with everything its hash covers, its leaf index and its audit path.
   */
  'proofJson': (string);
  'treeSize': (string);
  'events': (number);
  /**
   * Events of the action appended after the checkpoint; the next checkpoint covers them.
   */
  'notYetCheckpointed': (number);
}

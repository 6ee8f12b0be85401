// Original file: approvals/v1/audit.proto

import type { Long } from '@grpc/proto-loader';

export interface GetConsistencyProofRequest {
  /**
   * the size of an earlier signed checkpoint
   */
  'fromSize'?: (number | string | Long);
  /**
   * the size of a later one (0: the latest)
   */
  'toSize'?: (number | string | Long);
}

export interface GetConsistencyProofRequest__Output {
  /**
   * the size of an earlier signed checkpoint
   */
  'fromSize': (string);
  /**
   * the size of a later one (0: the latest)
   */
  'toSize': (string);
}

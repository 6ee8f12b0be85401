// Original file: approvals/v1/decisions.proto

import type { BreakGlassVerdict as _approvals_v1_BreakGlassVerdict, BreakGlassVerdict__Output as _approvals_v1_BreakGlassVerdict__Output } from '../../approvals/v1/BreakGlassVerdict';

export interface ReviewBreakGlassRequest {
  'actionId'?: (string);
  'verdict'?: (_approvals_v1_BreakGlassVerdict);
  /**
   * required: what the review found
   */
  'comment'?: (string);
}

export interface ReviewBreakGlassRequest__Output {
  'actionId': (string);
  'verdict': (_approvals_v1_BreakGlassVerdict__Output);
  /**
   * required: what the review found
   */
  'comment': (string);
}

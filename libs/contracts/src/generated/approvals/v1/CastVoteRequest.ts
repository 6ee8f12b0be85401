// Original file: approvals/v1/decisions.proto

import type { VoteDecision as _approvals_v1_VoteDecision, VoteDecision__Output as _approvals_v1_VoteDecision__Output } from '../../approvals/v1/VoteDecision';

export interface CastVoteRequest {
  'actionId'?: (string);
  'decision'?: (_approvals_v1_VoteDecision);
  /**
   * required reason when denying
   */
  'comment'?: (string);
}

export interface CastVoteRequest__Output {
  'actionId': (string);
  'decision': (_approvals_v1_VoteDecision__Output);
  /**
   * required reason when denying
   */
  'comment': (string);
}

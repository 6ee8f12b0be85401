// Original file: approvals/v1/decisions.proto

import type { VoteDecision as _approvals_v1_VoteDecision, VoteDecision__Output as _approvals_v1_VoteDecision__Output } from '../../approvals/v1/VoteDecision';
import type { StandingRequest as _approvals_v1_StandingRequest, StandingRequest__Output as _approvals_v1_StandingRequest__Output } from '../../approvals/v1/StandingRequest';

export interface CastVoteRequest {
  'actionId'?: (string);
  'decision'?: (_approvals_v1_VoteDecision);
  /**
   * required reason when denying
   */
  'comment'?: (string);
  /**
   * With APPROVE, where the policy allows it (@standing): also approve identical requests for a while.
   */
  'standing'?: (_approvals_v1_StandingRequest | null);
}

export interface CastVoteRequest__Output {
  'actionId': (string);
  'decision': (_approvals_v1_VoteDecision__Output);
  /**
   * required reason when denying
   */
  'comment': (string);
  /**
   * With APPROVE, where the policy allows it (@standing): also approve identical requests for a while.
   */
  'standing': (_approvals_v1_StandingRequest__Output | null);
}

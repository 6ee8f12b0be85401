// Original file: approvals/v1/types.proto

import type { VoteDecision as _approvals_v1_VoteDecision, VoteDecision__Output as _approvals_v1_VoteDecision__Output } from '../../approvals/v1/VoteDecision';

export interface Vote {
  'approverId'?: (string);
  'decision'?: (_approvals_v1_VoteDecision);
  'channel'?: (string);
  'comment'?: (string);
  'castAt'?: (string);
}

export interface Vote__Output {
  'approverId': (string);
  'decision': (_approvals_v1_VoteDecision__Output);
  'channel': (string);
  'comment': (string);
  'castAt': (string);
}

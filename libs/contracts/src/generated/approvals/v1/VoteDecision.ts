// Original file: approvals/v1/types.proto

export const VoteDecision = {
  VOTE_DECISION_UNSPECIFIED: 'VOTE_DECISION_UNSPECIFIED',
  APPROVE: 'APPROVE',
  DENY: 'DENY',
} as const;

export type VoteDecision =
  | 'VOTE_DECISION_UNSPECIFIED'
  | 0
  | 'APPROVE'
  | 1
  | 'DENY'
  | 2

export type VoteDecision__Output = typeof VoteDecision[keyof typeof VoteDecision]

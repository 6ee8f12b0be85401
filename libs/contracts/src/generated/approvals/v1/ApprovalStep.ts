// Original file: approvals/v1/types.proto


export interface ApprovalStep {
  'group'?: (string);
  'minApprovals'?: (number);
}

export interface ApprovalStep__Output {
  'group': (string);
  'minApprovals': (number);
}

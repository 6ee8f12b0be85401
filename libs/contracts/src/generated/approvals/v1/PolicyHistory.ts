// Original file: approvals/v1/audit.proto

import type { PolicyActivation as _approvals_v1_PolicyActivation, PolicyActivation__Output as _approvals_v1_PolicyActivation__Output } from '../../approvals/v1/PolicyActivation';

export interface PolicyHistory {
  'activations'?: (_approvals_v1_PolicyActivation)[];
}

export interface PolicyHistory__Output {
  'activations': (_approvals_v1_PolicyActivation__Output)[];
}

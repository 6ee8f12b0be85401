// Original file: approvals/v1/intake.proto

import type { ActionView as _approvals_v1_ActionView, ActionView__Output as _approvals_v1_ActionView__Output } from '../../approvals/v1/ActionView';

export interface AwaitDecisionResponse {
  'decided'?: (boolean);
  'action'?: (_approvals_v1_ActionView | null);
}

export interface AwaitDecisionResponse__Output {
  'decided': (boolean);
  'action': (_approvals_v1_ActionView__Output | null);
}

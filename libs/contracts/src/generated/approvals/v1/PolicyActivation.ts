// Original file: approvals/v1/audit.proto

import type { PolicyFile as _approvals_v1_PolicyFile, PolicyFile__Output as _approvals_v1_PolicyFile__Output } from '../../approvals/v1/PolicyFile';
import type { Long } from '@grpc/proto-loader';

export interface PolicyActivation {
  /**
   * global ledger position of the PolicySetActivated event
   */
  'position'?: (number | string | Long);
  /**
   * empty for the first activation the ledger has seen
   */
  'fromVersion'?: (string);
  'toVersion'?: (string);
  /**
   * start, file-change or signal
   */
  'trigger'?: (string);
  /**
   * where the set was loaded from
   */
  'source'?: (string);
  'activatedAt'?: (string);
  'activatedBy'?: (string);
  'files'?: (_approvals_v1_PolicyFile)[];
}

export interface PolicyActivation__Output {
  /**
   * global ledger position of the PolicySetActivated event
   */
  'position': (string);
  /**
   * empty for the first activation the ledger has seen
   */
  'fromVersion': (string);
  'toVersion': (string);
  /**
   * start, file-change or signal
   */
  'trigger': (string);
  /**
   * where the set was loaded from
   */
  'source': (string);
  'activatedAt': (string);
  'activatedBy': (string);
  'files': (_approvals_v1_PolicyFile__Output)[];
}

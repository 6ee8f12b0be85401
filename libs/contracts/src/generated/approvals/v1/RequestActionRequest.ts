// Original file: approvals/v1/intake.proto

import type { Resource as _approvals_v1_Resource, Resource__Output as _approvals_v1_Resource__Output } from '../../approvals/v1/Resource';

export interface RequestActionRequest {
  'model'?: (string);
  /**
   * the human the agent acts for, if any
   */
  'onBehalfOf'?: (string);
  /**
   * e.g. "db.export"
   */
  'action'?: (string);
  'resource'?: (_approvals_v1_Resource | null);
  /**
   * e.g. "prod"
   */
  'environment'?: (string);
  'dataClassification'?: (string);
  /**
   * a JSON object, at most 64 KiB
   */
  'parametersJson'?: (string);
  'justification'?: (string);
  'idempotencyKey'?: (string);
  /**
   * optional: the agent's run (session, job); RUN-scoped standing approvals cover only it
   */
  'runId'?: (string);
}

export interface RequestActionRequest__Output {
  'model': (string);
  /**
   * the human the agent acts for, if any
   */
  'onBehalfOf': (string);
  /**
   * e.g. "db.export"
   */
  'action': (string);
  'resource': (_approvals_v1_Resource__Output | null);
  /**
   * e.g. "prod"
   */
  'environment': (string);
  'dataClassification': (string);
  /**
   * a JSON object, at most 64 KiB
   */
  'parametersJson': (string);
  'justification': (string);
  'idempotencyKey': (string);
  /**
   * optional: the agent's run (session, job); RUN-scoped standing approvals cover only it
   */
  'runId': (string);
}

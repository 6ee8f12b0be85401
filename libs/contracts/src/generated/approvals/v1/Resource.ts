// Original file: approvals/v1/types.proto


export interface Resource {
  /**
   * e.g. "dataset", "role", "cluster"
   */
  'kind'?: (string);
  'id'?: (string);
}

export interface Resource__Output {
  /**
   * e.g. "dataset", "role", "cluster"
   */
  'kind': (string);
  'id': (string);
}

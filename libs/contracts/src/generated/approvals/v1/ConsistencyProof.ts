// Original file: approvals/v1/audit.proto


export interface ConsistencyProof {
  /**
   * signed notes (C2SP tlog-checkpoint)
   */
  'fromCheckpoint'?: (string);
  'toCheckpoint'?: (string);
  /**
   * RFC 9162 consistency proof
   */
  'proof'?: (Buffer | Uint8Array | string)[];
}

export interface ConsistencyProof__Output {
  /**
   * signed notes (C2SP tlog-checkpoint)
   */
  'fromCheckpoint': (string);
  'toCheckpoint': (string);
  /**
   * RFC 9162 consistency proof
   */
  'proof': (Buffer)[];
}

// Original file: approvals/v1/types.proto


export interface BreakGlass {
  'invokedBy'?: (string);
  'justification'?: (string);
  'invokedAt'?: (string);
  'reviewDueAt'?: (string);
  'reviewGroups'?: (string)[];
  /**
   * empty while the review is open
   */
  'reviewedBy'?: (string);
  /**
   * JUSTIFIED or UNJUSTIFIED
   */
  'verdict'?: (string);
  'reviewedAt'?: (string);
}

export interface BreakGlass__Output {
  'invokedBy': (string);
  'justification': (string);
  'invokedAt': (string);
  'reviewDueAt': (string);
  'reviewGroups': (string)[];
  /**
   * empty while the review is open
   */
  'reviewedBy': (string);
  /**
   * JUSTIFIED or UNJUSTIFIED
   */
  'verdict': (string);
  'reviewedAt': (string);
}

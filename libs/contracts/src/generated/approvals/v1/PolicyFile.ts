// Original file: approvals/v1/audit.proto


export interface PolicyFile {
  'name'?: (string);
  'sha256'?: (string);
  'text'?: (string);
}

export interface PolicyFile__Output {
  'name': (string);
  'sha256': (string);
  'text': (string);
}

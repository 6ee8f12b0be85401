export * from './approval-annotations';
export * from './approver-groups.check';
export * from './cedar-policy-set';
export * from './cedar-policy.engine';
export * from './cedar-request';
export * from './demo-policy-dir';
export * from './policy-dir-watcher';
export * from './policy-tests';

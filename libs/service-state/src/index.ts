export * from './local-leases';
export * from './open-service-state';
export * from './postgres/postgres-leases';
export * from './postgres/postgres-pending-approval.store';
export * from './postgres/postgres-personal-notice.store';
export * from './postgres/postgres-replay-guard';
export * from './postgres/schema';
export * from './sqlite-pending-approval.store';

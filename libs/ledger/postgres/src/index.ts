export * from './open-postgres-ledger';
export * from './pg-change-listener';
export * from './postgres-checkpoint-store';
export * from './postgres-event-store';
export * from './postgres-log-store';
export * from './schema';

export * from './schema';
export * from './postgres-event-store';
export * from './postgres-checkpoint-store';
export * from './open-postgres-ledger';
export * from './postgres-log-store';

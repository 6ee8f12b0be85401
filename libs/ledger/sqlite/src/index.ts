export * from './open-sqlite-ledger';
export * from './schema';
export * from './sqlite-checkpoint-store';
export * from './sqlite-connection';
export * from './sqlite-event-store';
export * from './sqlite-log-store';
export * from './sqlite-raw-events';
export * from './sqlite-verify-threads';

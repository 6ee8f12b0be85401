export * from './open-sqlite-ledger';
export * from './sqlite-checkpoint-store';
export * from './sqlite-connection';
export * from './sqlite-event-store';
export { LEDGER_SCHEMA_VERSION, type SqliteSynchronous } from './schema';
export * from './sqlite-log-store';
export * from './sqlite-verify-threads';

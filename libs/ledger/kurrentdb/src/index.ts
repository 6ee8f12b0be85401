export * from './kurrentdb-change-notifier';
export * from './kurrentdb-checkpoint-store';
export * from './kurrentdb-connection';
export * from './kurrentdb-errors';
export * from './kurrentdb-event-store';
export * from './kurrentdb-mapping';
export * from './open-kurrentdb-ledger';

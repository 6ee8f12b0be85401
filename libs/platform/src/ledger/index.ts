export * from './catch-up-subscription';
export * from './ledger-closed.error';
export * from './append-rules';
export * from './sqlite';
export * from './postgres';
export * from './open-ledger';
export * from './open-with-retry';
export * from './kurrentdb';

export * from './audit-ledger';
export * from './open-ledger';
export * from './open-with-retry';

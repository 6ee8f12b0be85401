export * from './catch-up-subscription';
export * from './ledger-closed.error';
export * from './sqlite';

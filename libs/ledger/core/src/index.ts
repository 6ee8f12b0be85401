export * from './append-rules';
export * from './catch-up-subscription';
export * from './ledger-closed.error';
export * from './recent-appends';
export * from './witnesses';
export * from './store-subscriptions';

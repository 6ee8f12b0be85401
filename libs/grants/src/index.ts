export * from './grant-key-ring';
export * from './grant-verification';

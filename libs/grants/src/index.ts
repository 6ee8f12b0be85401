export * from './grant-key-ring';

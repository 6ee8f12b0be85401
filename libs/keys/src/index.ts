export * from './checkpoint-key-ring';
export * from './signing-key-file';

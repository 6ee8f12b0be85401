export * from './signing-key-file';
export * from './checkpoint-key-ring';

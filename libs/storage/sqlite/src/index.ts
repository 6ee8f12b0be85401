export * from './wal-checkpointer';
export * from './write-ahead-log';

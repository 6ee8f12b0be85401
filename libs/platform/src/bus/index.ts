export * from './in-process-broker';

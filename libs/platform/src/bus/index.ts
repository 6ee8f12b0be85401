export * from './wire';
export * from './in-process-broker';
export * from './kafka';

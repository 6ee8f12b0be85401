export * from './kafka-client';
export * from './kafka-topics';
export * from './kafka-publisher';
export * from './kafka-command-sender';
export * from './kafka-consumer-ready';
export * from './kafka-health';

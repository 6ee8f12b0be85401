export * from './in-process-broker';
export * from './kafka/kafka-client';
export * from './kafka/kafka-command-sender';
export * from './kafka/kafka-consumer-ready';
export * from './kafka/kafka-health';
export * from './kafka/kafka-publisher';
export * from './kafka/kafka-topics';
export * from './wire';

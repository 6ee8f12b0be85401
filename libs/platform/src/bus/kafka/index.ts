export * from './kafka-topics';
export * from './kafka-publisher';

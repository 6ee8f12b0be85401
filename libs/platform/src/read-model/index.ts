export * from './open-sqlite-read-model';
export { READ_MODEL_SCHEMA_VERSION } from './read-model-schema';
export * from './sqlite-read-model-store';
export * from './projector-thread';
export * from './postgres';
export * from './open-read-model';

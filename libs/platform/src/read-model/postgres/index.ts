export { READ_MODEL_PG_SCHEMA_VERSION, migrateReadModelPg } from './schema';
export * from './postgres-read-model-store';
export * from './open-postgres-read-model';

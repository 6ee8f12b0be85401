export * from './action-record';
export * from './audit-projection';
export * from './audit-projector';
export { AuditQueries, DEFAULT_SEARCH_LIMIT, MAX_SEARCH_LIMIT, type AuditQueryError } from './audit-queries';
export * from './event-description';
export * from './read-model-store.port';

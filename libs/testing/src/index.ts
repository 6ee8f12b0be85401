export * from './event-store.contract';
export * from './embedded-server';
export * from './audit-scenario';

export * from './event-store.contract';
export * from './embedded-server';

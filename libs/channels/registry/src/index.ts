export * from './channel-registry';

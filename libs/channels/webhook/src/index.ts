export * from './webhook-channel';
export * from './webhook-plugin';

export * from './webhook-channel';

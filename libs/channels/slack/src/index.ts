export * from './slack-channel';
export * from './slack-message';
export * from './slack-signature';
export * from './slack-plugin';

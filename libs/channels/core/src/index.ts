export * from './log-notification.channel';
export * from './channel-plugin';

export * from './log-notification.channel';

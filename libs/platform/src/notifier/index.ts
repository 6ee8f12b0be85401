export * from './sqlite-pending-approval.store';
export * from './log-notification.channel';

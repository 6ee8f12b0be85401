export * from './sqlite-pending-approval.store';
export * from './log-notification.channel';
export * from './slack/slack-signature';
export * from './slack/slack-message';
export * from './slack/slack-channel';
export * from './webhook/webhook-channel';
export * from './teams/bot-framework';
export * from './teams/teams-channel';

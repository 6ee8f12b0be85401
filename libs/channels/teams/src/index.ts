export * from './bot-framework';
export * from './teams-channel';

export * from './bot-framework';
export * from './teams-channel';
export * from './teams-plugin';

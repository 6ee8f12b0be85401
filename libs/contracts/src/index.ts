export * from './generated';
export * from './grpc/proto';
export * from './bus/topics';
export * from './bus/messages';
export * from './events/ledger-events';
export * from './channels/channel-kinds';
export * from './config/config-section';

export * from './generated';
export * from './grpc/proto';
export * from './bus/topics';
export * from './bus/messages';
export * from './bus/ledger-event-data';

export * from './tokens';
export * from './in-process.server';
export * from './grpc-errors';
export * from './embedded-infra.module';
export * from './grpc-auth';
export * from './pino-nest.logger';
export * from './health.controller';
export * from './grpc-input';

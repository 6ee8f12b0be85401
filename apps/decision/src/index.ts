export * from './decision.module';

export * from './policy-evaluator.module';

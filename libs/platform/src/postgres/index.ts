export * from './pg-errors';
export * from './migrations';
export * from './pool';

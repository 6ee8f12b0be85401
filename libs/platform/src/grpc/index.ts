export * from './client';
export * from './calls';

export * from './approvals';
export * from './errors';
export * from './grants';
export * from './guard';
export * from './progress';
export * from './request-hash';
export * from './transport';
export * from './types';

export * from './approval/approval.events';
export * from './approval/approval.commands';
export * from './approval/approval.state';
export * from './approval/approval.decider';
export * from './approval/approval.requirement';
export * from './approval/stream-id';
export * from './errors';
export { parseInstant } from './instant';

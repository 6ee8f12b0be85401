// The SDK's start-up lives in '@approvals/telemetry/start', apart: a main loads it first, before
// anything it instruments, and code that only needs these helpers (workers, the CLI) never loads it.
export * from './approvals-metrics';
export * from './instrumented-channel';
export * from './instrumented-event-store';
export * from './instrumented-policy-engine';
export * from './messaging';
export * from './projector-lag';
export * from './telemetry-settings';
export * from './traced-subscriptions';
export * from './tracing';
export * from './logger';

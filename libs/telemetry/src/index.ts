// The SDK's start-up lives in '@approvals/telemetry/start', apart: a main loads it first, before
// anything it instruments, and the rest of the code never needs to load the SDK.
export * from './approvals-metrics';
export * from './instrumented-channel';
export * from './instrumented-event-store';
export * from './instrumented-policy-engine';
export * from './messaging';
export * from './telemetry-settings';
export * from './traced-subscriptions';
export * from './tracing';

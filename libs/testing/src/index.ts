export * from './event-store.contract';
export * from './server-process';
export * from './tcp-proxy';
export * from './embedded-server';
export * from './distributed-system';
export * from './system';
export * from './audit-scenario';
export * from './in-memory-event-store';
export { T0, at, fixedClock, ManualClock, sequentialIds, directoryOf, RecordingCommandSender, type SentCommand, TRACESTATE, sampleRequest } from './application-fakes';

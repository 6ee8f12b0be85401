export { openKurrentDbLedger, type KurrentDbLedger, type KurrentDbLedgerOptions } from './open-kurrentdb-ledger';
export { KurrentDbEventStore, EVENT_ID_CLAIM_STREAM_PREFIX, type KurrentDbEventStoreOptions } from './kurrentdb-event-store';
export { KurrentDbCheckpointStore, CHECKPOINT_STREAM_PREFIX, checkpointStream } from './kurrentdb-checkpoint-store';
export { KurrentDbConnection } from './kurrentdb-connection';
export { describeKurrentDb, KurrentDbAccessDeniedError, KurrentDbUnavailableError } from './kurrentdb-errors';
export { LEDGER_EVENT_ID_NAMESPACE, LEDGER_METADATA_KEY, toKurrentEventId } from './kurrentdb-mapping';

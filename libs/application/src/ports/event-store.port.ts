/**
 * The ledger port. Adapters: embedded SQLite, PostgreSQL and KurrentDB (libs/ledger/sqlite, postgres,
 * kurrentdb). Every adapter must pass the shared contract suite in @approvals/testing.
 */

/** Metadata every ledger event carries (SPEC section 4). */
export interface EventMetadata {
  actionId?: string | undefined;
  /** Who caused the event: an agent, an approver (with channel) or a service. */
  actor?: { kind: 'agent' | 'approver' | 'service'; id: string; channel?: string | undefined; model?: string | undefined; onBehalfOf?: string | undefined } | undefined;
  correlationId?: string | undefined;
  causationId?: string | undefined;
  /** W3C trace context of the work that produced the event. */
  traceparent?: string | undefined;
  tracestate?: string | undefined;
  policyVersion?: string | undefined;
  [key: string]: unknown;
}

/** An event to append. `eventId` makes the append idempotent. */
export interface NewEvent<Type extends string = string, Data = unknown> {
  eventId: string;
  type: Type;
  data: Data;
  metadata: EventMetadata;
}

/** An event as stored: stream revision, global position and the hash chain fields (I8). */
export interface RecordedEvent<Type extends string = string, Data = unknown> {
  eventId: string;
  type: Type;
  data: Data;
  metadata: EventMetadata & {
    /** Hash of the previous event of the same stream; null for the first event (revision 0). */
    prevHash: string | null;
    occurredAt: string;
  };
  streamId: string;
  /** 0-based position of the event within its stream. */
  revision: number;
  /** Position in the global order of the whole ledger; strictly increasing, never reused. */
  position: bigint;
  /** Hash of this event (covers prevHash, so it chains the stream). */
  hash: string;
}

/** An event as stored, its data and metadata as the JSON texts the store holds (for verifiers). */
export interface RawRecordedEvent {
  eventId: string;
  type: string;
  dataJson: string;
  metadataJson: string;
  streamId: string;
  revision: number;
  position: bigint;
  hash: string;
}

export type ExpectedRevision = 'any' | 'no_stream' | 'stream_exists' | number;

export interface AppendResult {
  /** Revision of the last event of the stream after the append. */
  nextExpectedRevision: number;
  /** Global position of the last event written (or already present, for an idempotent retry). */
  position: bigint;
  /** False when every event was already in the stream with the same ids (idempotent retry). */
  appended: boolean;
}

export interface ReadStreamOptions {
  /** First revision to read (forwards) or last (backwards). */
  fromRevision?: number;
  direction?: 'forwards' | 'backwards';
  maxCount?: number;
}

export interface ReadAllOptions {
  /** Read events strictly after this position; omit to start at the beginning. */
  after?: bigint;
  maxCount?: number;
}

export interface SubscribeOptions {
  /** Deliver events strictly after this checkpoint; omit to start at the beginning. */
  after?: bigint;
  /** Only events of streams with this prefix (e.g. "action-"). */
  streamPrefix?: string;
}

export interface Subscription {
  /** Resolves once the subscription has delivered everything that existed when it started. */
  readonly caughtUp: Promise<void>;
  close(): Promise<void>;
}

/**
 * Called for each event in global order. The next event is delivered only after the returned
 * promise settles; a rejection stops the subscription and surfaces through `onError`.
 */
export type EventHandler = (event: RecordedEvent) => Promise<void> | void;

export interface EventStore {
  appendToStream(streamId: string, events: NewEvent[], options?: { expectedRevision?: ExpectedRevision }): Promise<AppendResult>;
  /** Returns [] for a stream that does not exist. */
  readStream(streamId: string, options?: ReadStreamOptions): Promise<RecordedEvent[]>;
  readAll(options?: ReadAllOptions): Promise<RecordedEvent[]>;
  /** As readAll, with data and metadata unparsed (stores that can; verification is faster with it). */
  readAllRaw?(options?: ReadAllOptions): Promise<RawRecordedEvent[]>;
  /** Global position of the last event in the ledger; 0n when it is empty. Live-only readers start here. */
  headPosition(): Promise<bigint>;
  /** Catch-up from `after`, then live, with no gap and no duplicate. */
  subscribeToAll(handler: EventHandler, options?: SubscribeOptions & { onError?: (error: unknown) => void }): Subscription;
  close(): Promise<void>;
}

/** Typed optimistic-concurrency conflict; the edge maps it to gRPC ABORTED / HTTP 412. */
export class WrongExpectedRevisionError extends Error {
  override readonly name = 'WrongExpectedRevisionError';
  constructor(
    readonly streamId: string,
    readonly expected: ExpectedRevision,
    readonly actual: number | 'no_stream',
  ) {
    super(`stream ${streamId}: expected revision ${String(expected)}, actual ${String(actual)}`);
  }
}

/**
 * The store cannot be reached right now (connection refused or lost, server shutting down). The
 * operation may or may not have taken effect; retrying it later is safe (appends are idempotent
 * by event id, handlers by causation id). Consumers wait and retry instead of giving up on the
 * message; edges answer "not yet" (gRPC UNAVAILABLE), never "allowed".
 */
export class StoreUnavailableError extends Error {
  override readonly name: string = 'StoreUnavailableError';
}

/** An append whose event ids were partly written before: never silently merged. */
export class IdempotencyViolationError extends Error {
  override readonly name = 'IdempotencyViolationError';
  constructor(readonly streamId: string, message: string) {
    super(message);
  }
}

/** Durable named checkpoints for subscribers (projector, outbox relay). */
export interface CheckpointStore {
  load(name: string): Promise<bigint | undefined>;
  save(name: string, position: bigint): Promise<void>;
}

import {
  canonicalEvent,
  IdempotencyViolationError,
  WrongExpectedRevisionError,
  type AppendResult,
  type EventMetadata,
  type ExpectedRevision,
  type NewEvent,
  type RecordedEvent,
} from '@approvals/application';

// The rules every ledger adapter applies to an append, in one place, so the adapters differ only
// in storage.

/** "No limit" for {@link toLimit}. */
export const NO_LIMIT = -1;

/**
 * The hash-chain link of one event at `revision` (I8): its metadata gains the hash of the
 * previous event of the stream and `occurredAt` (the caller's, or `now`), and the event's own hash
 * covers both. `data` and `metadata` must be what a reader will get back.
 */
export function chainEvent(
  streamId: string,
  revision: number,
  event: Pick<NewEvent, 'eventId' | 'type'> & { data: unknown; metadata: EventMetadata },
  prevHash: string | null,
  now: string,
): { metadata: RecordedEvent['metadata']; hash: string; dataJson: string; metadataJson: string } {
  const supplied = event.metadata;
  const metadata: RecordedEvent['metadata'] = { ...supplied, prevHash, occurredAt: typeof supplied.occurredAt === 'string' ? supplied.occurredAt : now };
  // Stored as the canonical texts the hash covers, so a verifier hashes them without parsing.
  const { dataJson, metadataJson, hash } = canonicalEvent({ streamId, revision, eventId: event.eventId, type: event.type, data: event.data, metadata });
  return { metadata, hash, dataJson, metadataJson };
}

/** Where an event id was found already, when an append is checked for being a retry. */
export interface ExistingEvent {
  streamId: string;
  revision: number;
  position: bigint;
}

/**
 * An append whose ids are all already in this stream, consecutively and in the same order, is a
 * retry: it succeeds without writing, whatever the expected revision. Any other overlap is
 * refused, so a partial or misdirected retry never merges silently. `found[i]` is where
 * `events[i]`'s id already exists, if anywhere; `actual` is the stream's last revision.
 */
export function judgeRetry(streamId: string, events: NewEvent[], found: (ExistingEvent | undefined)[], actual: number): AppendResult | undefined {
  const existing = found.filter((row): row is ExistingEvent => row !== undefined);
  if (existing.length === 0) return undefined;

  const elsewhere = existing.find((row) => row.streamId !== streamId);
  if (elsewhere) {
    const index = found.indexOf(elsewhere);
    throw new IdempotencyViolationError(
      streamId,
      `event ${events[index]!.eventId} already exists in stream ${elsewhere.streamId}; an event id can be used once in the whole ledger`,
    );
  }
  if (existing.length < events.length) {
    const missing = events.filter((_, index) => found[index] === undefined).map((event) => event.eventId);
    throw new IdempotencyViolationError(
      streamId,
      `stream ${streamId}: ${existing.length} of ${events.length} events of this batch were appended before but ${missing.join(', ')} were not; retry the original batch unchanged or use new event ids`,
    );
  }
  const first = existing[0]!.revision;
  if (existing.some((row, index) => row.revision !== first + index)) {
    throw new IdempotencyViolationError(
      streamId,
      `stream ${streamId}: the events of this batch were appended before, but not consecutively in this order; retry the original batch unchanged`,
    );
  }
  return { appended: false, nextExpectedRevision: actual, position: existing.at(-1)!.position };
}

export function validateAppend(streamId: string, events: NewEvent[], expected: ExpectedRevision | undefined): void {
  if (typeof streamId !== 'string' || streamId.length === 0) throw new TypeError('streamId must be a non-empty string');
  if (!Array.isArray(events) || events.length === 0) {
    throw new TypeError(`stream ${streamId}: appendToStream needs at least one event`);
  }
  if (typeof expected === 'number' && !(Number.isSafeInteger(expected) && expected >= 0)) {
    throw new TypeError(`stream ${streamId}: expected revision must be a non-negative integer, got ${expected}`);
  }
  const ids = new Set<string>();
  for (const event of events) {
    if (typeof event.eventId !== 'string' || event.eventId.length === 0) {
      throw new TypeError(`stream ${streamId}: every event needs a non-empty eventId`);
    }
    if (typeof event.type !== 'string' || event.type.length === 0) {
      throw new TypeError(`stream ${streamId}: event ${event.eventId} needs a non-empty type`);
    }
    if (ids.has(event.eventId)) {
      throw new IdempotencyViolationError(streamId, `stream ${streamId}: event id ${event.eventId} appears twice in one batch`);
    }
    ids.add(event.eventId);
  }
}

export function checkExpectedRevision(streamId: string, expected: ExpectedRevision, actual: number): void {
  const ok =
    expected === 'any' ||
    (expected === 'no_stream' && actual === -1) ||
    (expected === 'stream_exists' && actual >= 0) ||
    expected === actual;
  if (!ok) throw new WrongExpectedRevisionError(streamId, expected, actual === -1 ? 'no_stream' : actual);
}

export function toLimit(maxCount: number | undefined): number {
  if (maxCount === undefined) return NO_LIMIT;
  if (!Number.isSafeInteger(maxCount) || maxCount < 0) {
    throw new TypeError(`maxCount must be a non-negative integer, got ${maxCount}`);
  }
  return maxCount;
}

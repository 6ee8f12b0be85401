import { createHash } from 'node:crypto';
import {
  ErrorType,
  NO_STREAM,
  WrongExpectedVersionError,
  type AllStreamResolvedEvent,
  type AppendStreamState,
  type JSONEventData,
  type JSONType,
  type MetadataType,
  type ReadPosition,
  type ResolvedEvent,
} from '@kurrent/kurrentdb-client';
import {
  WrongExpectedRevisionError,
  type EventMetadata,
  type ExpectedRevision,
  type NewEvent,
  type RecordedEvent,
} from '@approvals/application';
import { chainEvent } from '@approvals/ledger-core';

// How the ledger port maps onto KurrentDB, as pure functions (unit-tested without a server).

/**
 * The key under which an event's KurrentDB metadata carries what the ledger needs besides the
 * caller's metadata: the event's hash and, when KurrentDB could not take it as its own id, the
 * ledger's event id. Reserved: an append whose metadata uses it is refused.
 */
export const LEDGER_METADATA_KEY = '$ledger';

/** Namespace of the UUIDv5 ids derived from ledger event ids that are not lower-case UUIDs. */
export const LEDGER_EVENT_ID_NAMESPACE = '403b4a67-7bb1-4716-b883-964ac5fd57ac';

/** Server-side filter of the ledger's streams: every stream that is not a `$` system stream. */
export const NON_SYSTEM_STREAMS_REGEX = '^[^$]';

/** KurrentDB reports "no position" as the largest unsigned 64-bit value (servers before 22.6). */
const NO_POSITION = 2n ** 63n;

const CANONICAL_UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const NIL_UUID = '00000000-0000-0000-0000-000000000000';

interface LedgerMetadataEnvelope {
  hash: string;
  /** Present only when the ledger's event id differs from the KurrentDB event id. */
  eventId?: string;
}

type StoredMetadata = RecordedEvent['metadata'] & { [LEDGER_METADATA_KEY]: LedgerMetadataEnvelope };

/** An event ready for `appendToStream`, with the hash it will be stored under. */
export interface ProposedEvent {
  data: JSONEventData;
  hash: string;
  revision: number;
}

/** A name-based UUID, version 5 (RFC 9562: SHA-1 of namespace and name). */
export function uuidV5(name: string, namespace: string = LEDGER_EVENT_ID_NAMESPACE): string {
  const hash = createHash('sha1').update(Buffer.from(namespace.replaceAll('-', ''), 'hex')).update(name, 'utf8').digest();
  hash[6] = (hash[6]! & 0x0f) | 0x50;
  hash[8] = (hash[8]! & 0x3f) | 0x80;
  const hex = hash.subarray(0, 16).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}

/**
 * The KurrentDB event id for a ledger event id. KurrentDB ids are UUIDs, and the server gives
 * them back lower-case, so a lower-case non-nil UUID is used as it is; any other id (a name,
 * an upper-case UUID) becomes a UUIDv5 of itself: deterministic, so a retried append carries the
 * same id and KurrentDB's own duplicate check still applies, and reproducible by any tool that
 * looks for the event. The ledger id itself then travels in the metadata.
 */
export function toKurrentEventId(eventId: string): string {
  return CANONICAL_UUID.test(eventId) && eventId !== NIL_UUID ? eventId : uuidV5(eventId);
}

/**
 * The state the append asks the server to check. Always the revision the hash chain was built on
 * (`actual`, or NO_STREAM): never ANY or STREAM_EXISTS, which would let a concurrent writer slip
 * an event between the chain's last link and this append. The caller's own expectation was
 * checked against the same read, so an exact revision or `no_stream` maps one to one.
 */
export function toStreamState(expected: ExpectedRevision, actual: number): AppendStreamState {
  if (typeof expected === 'number' && expected !== actual) {
    throw new RangeError(`expected revision ${expected} was not checked against the stream (last revision ${actual})`);
  }
  return actual < 0 ? NO_STREAM : BigInt(actual);
}

/** The client's conflict, in the port's terms. */
export function toWrongExpectedRevision(error: WrongExpectedVersionError, streamId: string, expected: ExpectedRevision): WrongExpectedRevisionError {
  const actual = error.actualState === NO_STREAM ? 'no_stream' : Number(error.actualState);
  return new WrongExpectedRevisionError(streamId, expected, actual);
}

/** Where a read of `$all` starts to see events strictly after `after` (the read itself is inclusive). */
export function toReadPosition(after: bigint | undefined): ReadPosition {
  return after === undefined || after <= 0n ? 'start' : { commit: after, prepare: after };
}

/**
 * Builds the stored form of one event at `revision`, chained to `prevHash`. Data and metadata are
 * passed through JSON first, so the hash covers exactly what a reader will get back.
 */
export function toProposedEvent(streamId: string, revision: number, event: NewEvent, prevHash: string | null, now: string): ProposedEvent {
  const data = jsonCopy(event.data, `stream ${streamId}: event ${event.eventId} data`);
  const supplied = jsonCopy(event.metadata ?? {}, `stream ${streamId}: event ${event.eventId} metadata`) as EventMetadata;
  const { metadata, hash } = chainEvent(streamId, revision, { eventId: event.eventId, type: event.type, data, metadata: supplied }, prevHash, now);
  const id = toKurrentEventId(event.eventId);
  const envelope: LedgerMetadataEnvelope = id === event.eventId ? { hash } : { hash, eventId: event.eventId };
  const stored: StoredMetadata = { ...metadata, [LEDGER_METADATA_KEY]: envelope };
  return {
    data: { id, contentType: 'application/json', type: event.type, data: data as JSONType, metadata: stored as MetadataType },
    hash,
    revision,
  };
}

/**
 * A ledger event from what the client read, or undefined for anything the ledger did not write
 * (a link, a binary event, an event without the ledger's metadata).
 */
export function toLedgerEvent(resolved: ResolvedEvent | AllStreamResolvedEvent): RecordedEvent | undefined {
  const event = resolved.event;
  if (!event || !event.isJson || !isPlainObject(event.metadata)) return undefined;
  const { [LEDGER_METADATA_KEY]: envelope, ...metadata } = event.metadata;
  if (!isPlainObject(envelope) || typeof envelope['hash'] !== 'string') return undefined;
  const commit = event.position?.commit;
  if (commit === undefined || commit < 0n || commit >= NO_POSITION) {
    throw new Error(
      `KurrentDB returned no log position for event ${event.id} of stream ${event.streamId}; the ledger needs KurrentDB (or EventStoreDB) 22.10 or later`,
    );
  }
  return {
    eventId: typeof envelope['eventId'] === 'string' ? envelope['eventId'] : event.id,
    type: event.type,
    data: event.data,
    metadata: metadata as RecordedEvent['metadata'],
    streamId: event.streamId,
    revision: Number(event.revision),
    position: commit,
    hash: envelope['hash'],
  };
}

/** The ledger's events of one forward read of `$all`, and how far a reader may move its cursor. */
export interface AllPage {
  events: RecordedEvent[];
  scannedTo: bigint;
  /** The read came back short: it saw the end of the log. */
  reachedEnd: boolean;
}

/** One event of a `$all` read: its position, and the ledger event when it is one. */
export interface AllReadItem {
  position: bigint;
  event: RecordedEvent | undefined;
}

/**
 * Turns what one forward read of `$all` returned into a page of at most `maxCount` ledger events.
 * The read asked for `requested` events from `after` inclusive (KurrentDB reads include the event
 * at the start position), and `headBefore` is a head taken before the read began. A short read
 * reached the end of the log, so every event up to that head has been considered; otherwise the
 * cursor may move only as far as the last event looked at.
 */
export function toAllPage(read: AllReadItem[], after: bigint, maxCount: number, requested: number, headBefore: bigint): AllPage {
  const events: RecordedEvent[] = [];
  let considered = after;
  for (const item of read) {
    if (item.position <= after) continue;
    if (events.length === maxCount) return { events, scannedTo: considered, reachedEnd: false };
    if (item.event) events.push(item.event);
    considered = item.position;
  }
  const reachedEnd = read.length < requested;
  return { events, scannedTo: reachedEnd && headBefore > considered ? headBefore : considered, reachedEnd };
}

/** An event of a `$all` read, for paging: its position whether or not the ledger wrote it. */
export function toAllReadItem(resolved: AllStreamResolvedEvent): AllReadItem {
  // Typed as always present on $all; checked anyway, since a missing position would mis-page.
  const position = (resolved.event?.position as { commit: bigint } | undefined)?.commit ?? resolved.commitPosition;
  if (position === undefined) throw new Error('KurrentDB returned an event of $all without its position');
  if (resolved.event?.streamId.startsWith('$')) return { position, event: undefined };
  return { position, event: toLedgerEvent(resolved) };
}

/** A checkpoint position as stored (a decimal string: JSON numbers stop at 2^53). */
export function parseCheckpoint(name: string, data: unknown): bigint {
  const position = isPlainObject(data) ? data['position'] : undefined;
  if (typeof position !== 'string' || !/^\d+$/.test(position)) {
    throw new Error(`checkpoint ${name}: the stored checkpoint is not a position (${JSON.stringify(data)})`);
  }
  return BigInt(position);
}

function jsonCopy(value: unknown, what: string): unknown {
  const text = JSON.stringify(value);
  if (text === undefined) throw new TypeError(`${what} must be JSON (got ${typeof value})`);
  return JSON.parse(text) as unknown;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Uint8Array);
}

/** Is this the client's optimistic-concurrency error? */
export function isWrongExpectedVersion(error: unknown): error is WrongExpectedVersionError {
  return error instanceof WrongExpectedVersionError || (error as { type?: unknown } | null)?.type === ErrorType.WRONG_EXPECTED_VERSION;
}

import { randomUUID } from 'node:crypto';
import { NO_STREAM, WrongExpectedVersionError, type AllStreamResolvedEvent, type ResolvedEvent } from '@kurrent/kurrentdb-client';
import { hashEvent, WrongExpectedRevisionError, type NewEvent, type RecordedEvent } from '@approvals/application';
import {
  LEDGER_METADATA_KEY,
  parseCheckpoint,
  toAllPage,
  toAllReadItem,
  toKurrentEventId,
  toLedgerEvent,
  toProposedEvent,
  toReadPosition,
  toStreamState,
  toWrongExpectedRevision,
  uuidV5,
  type AllReadItem,
} from './kurrentdb-mapping';

const NOW = '2026-01-02T03:04:05.000Z';
const newEvent = (overrides: Partial<NewEvent> = {}): NewEvent => ({ eventId: randomUUID(), type: 'ActionRequested', data: { n: 1 }, metadata: {}, ...overrides });

/** What the client hands back for an event the adapter proposed, as read from a stream. */
function asRead(streamId: string, proposed: ReturnType<typeof toProposedEvent>, position: bigint): ResolvedEvent {
  return {
    event: {
      streamId,
      id: proposed.data.id,
      isJson: true,
      revision: BigInt(proposed.revision),
      type: proposed.data.type,
      created: new Date(NOW),
      data: JSON.parse(JSON.stringify(proposed.data.data)),
      metadata: JSON.parse(JSON.stringify(proposed.data.metadata)),
      position: { commit: position, prepare: position },
    },
  };
}

describe('KurrentDB mapping', () => {
  describe('event ids', () => {
    it('computes RFC 9562 version 5 UUIDs', () => {
      expect(uuidV5('python.org', '6ba7b810-9dad-11d1-80b4-00c04fd430c8')).toBe('886313e1-3b8a-5372-9b90-0c9aee199e5d');
    });

    it('keeps a lower-case UUID as the KurrentDB id', () => {
      const id = randomUUID();
      expect(toKurrentEventId(id)).toBe(id);
    });

    it('derives a stable UUIDv5 from any other id, including upper-case and nil UUIDs', () => {
      const upper = randomUUID().toUpperCase();
      for (const id of ['evt-1', upper, '00000000-0000-0000-0000-000000000000', 'ünïcode ✓']) {
        const derived = toKurrentEventId(id);
        expect(derived).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
        expect(toKurrentEventId(id)).toBe(derived);
      }
      expect(toKurrentEventId(upper)).not.toBe(upper.toLowerCase());
      expect(toKurrentEventId('evt-1')).not.toBe(toKurrentEventId('evt-2'));
    });
  });

  describe('expected revision', () => {
    it('always appends with the revision the hash chain was built on', () => {
      expect(toStreamState('any', -1)).toBe(NO_STREAM);
      expect(toStreamState('any', 3)).toBe(3n);
      expect(toStreamState('stream_exists', 0)).toBe(0n);
      expect(toStreamState('no_stream', -1)).toBe(NO_STREAM);
      expect(toStreamState(2, 2)).toBe(2n);
    });

    it('refuses an exact revision that was not checked against the stream', () => {
      expect(() => toStreamState(2, 3)).toThrow(RangeError);
    });

    it("turns the client's WrongExpectedVersionError into the port's conflict", () => {
      const atRevision = new WrongExpectedVersionError(undefined, { streamName: 'action-1', expected: 0n, current: 2n });
      const missing = new WrongExpectedVersionError(undefined, { streamName: 'action-1', expected: 0n, current: NO_STREAM });

      const conflict = toWrongExpectedRevision(atRevision, 'action-1', 0);

      expect(conflict).toBeInstanceOf(WrongExpectedRevisionError);
      expect(conflict).toMatchObject({ streamId: 'action-1', expected: 0, actual: 2 });
      expect(toWrongExpectedRevision(missing, 'action-1', 'stream_exists')).toMatchObject({ expected: 'stream_exists', actual: 'no_stream' });
    });
  });

  describe('positions', () => {
    it('reads $all from the start, or from the event at a position (the read includes it)', () => {
      expect(toReadPosition(undefined)).toBe('start');
      expect(toReadPosition(0n)).toBe('start');
      expect(toReadPosition(4242n)).toEqual({ commit: 4242n, prepare: 4242n });
    });
  });

  describe('records', () => {
    it('stores the chain fields and the hash, and reads back exactly what was hashed', () => {
      const event = newEvent({
        data: { text: 'héllo', skipped: undefined, list: [1, 2] },
        metadata: { actionId: 'a-1', actor: { kind: 'agent', id: 'agent-7' }, prevHash: 'forged' },
      });

      const proposed = toProposedEvent('action-1', 3, event, 'abc', NOW);
      const recorded = toLedgerEvent(asRead('action-1', proposed, 9000n));

      expect(proposed.data).toMatchObject({ id: event.eventId, contentType: 'application/json', type: 'ActionRequested' });
      expect(proposed.data.metadata).toEqual({
        actionId: 'a-1',
        actor: { kind: 'agent', id: 'agent-7' },
        prevHash: 'abc',
        occurredAt: NOW,
        [LEDGER_METADATA_KEY]: { hash: proposed.hash },
      });
      expect(recorded).toEqual<RecordedEvent>({
        eventId: event.eventId,
        type: 'ActionRequested',
        data: { text: 'héllo', list: [1, 2] },
        metadata: { actionId: 'a-1', actor: { kind: 'agent', id: 'agent-7' }, prevHash: 'abc', occurredAt: NOW },
        streamId: 'action-1',
        revision: 3,
        position: 9000n,
        hash: proposed.hash,
      });
      expect(hashEvent(recorded!)).toBe(recorded!.hash);
    });

    it('keeps an occurredAt the caller set, and chains revision 0 to null', () => {
      const proposed = toProposedEvent('action-1', 0, newEvent({ metadata: { occurredAt: '2024-02-29T12:00:00.000Z' } }), null, NOW);

      expect(proposed.data.metadata).toMatchObject({ prevHash: null, occurredAt: '2024-02-29T12:00:00.000Z' });
    });

    it('carries an id that is not a UUID in the metadata and gives it back', () => {
      const proposed = toProposedEvent('action-1', 0, newEvent({ eventId: 'evt-1' }), null, NOW);
      const recorded = toLedgerEvent(asRead('action-1', proposed, 1000n))!;

      expect(proposed.data.id).toBe(toKurrentEventId('evt-1'));
      expect(proposed.data.metadata).toMatchObject({ [LEDGER_METADATA_KEY]: { hash: proposed.hash, eventId: 'evt-1' } });
      expect(recorded.eventId).toBe('evt-1');
      expect(recorded.metadata).not.toHaveProperty(LEDGER_METADATA_KEY);
      expect(hashEvent(recorded)).toBe(recorded.hash);
    });

    it('round-trips data that is not an object', () => {
      for (const data of ['text', 42, null, [1, 'two'], true]) {
        const proposed = toProposedEvent('action-1', 0, newEvent({ data }), null, NOW);
        const recorded = toLedgerEvent(asRead('action-1', proposed, 1000n))!;
        expect(recorded.data).toEqual(data);
        expect(hashEvent(recorded)).toBe(recorded.hash);
      }
    });

    it('refuses data that is not JSON', () => {
      expect(() => toProposedEvent('action-1', 0, newEvent({ data: undefined }), null, NOW)).toThrow(TypeError);
      expect(() => toProposedEvent('action-1', 0, newEvent({ data: { big: 1n } }), null, NOW)).toThrow(TypeError);
    });

    it('does not take for a ledger event what the ledger did not write', () => {
      const proposed = toProposedEvent('action-1', 0, newEvent(), null, NOW);
      const read = asRead('action-1', proposed, 1000n);
      const event = read.event!;

      expect(toLedgerEvent({})).toBeUndefined();
      expect(toLedgerEvent({ event: { ...event, metadata: { actionId: 'a-1' } } } as ResolvedEvent)).toBeUndefined();
      expect(toLedgerEvent({ event: { ...event, metadata: undefined } } as ResolvedEvent)).toBeUndefined();
      expect(toLedgerEvent({ event: { ...event, isJson: false, data: new Uint8Array([1]) } } as ResolvedEvent)).toBeUndefined();
    });

    it('fails loudly when the server gives no log position (servers before 22.6)', () => {
      const proposed = toProposedEvent('action-1', 0, newEvent(), null, NOW);
      const read = asRead('action-1', proposed, 1000n);

      expect(() => toLedgerEvent({ event: { ...read.event!, position: undefined } } as ResolvedEvent)).toThrow(/22\.10 or later/);
      const none = 2n ** 64n - 1n;
      expect(() => toLedgerEvent({ event: { ...read.event!, position: { commit: none, prepare: none } } } as ResolvedEvent)).toThrow(/no log position/);
    });

    it('reads a checkpoint back from its decimal string', () => {
      expect(parseCheckpoint('p', { position: '9007199254740993' })).toBe(2n ** 53n + 1n);
      expect(() => parseCheckpoint('p', { position: 12 })).toThrow(/checkpoint p/);
      expect(() => parseCheckpoint('p', undefined)).toThrow(/checkpoint p/);
    });
  });

  describe('pages of $all', () => {
    const ledgerEvent = (position: bigint): RecordedEvent => ({
      eventId: randomUUID(),
      type: 'E',
      data: {},
      metadata: { prevHash: null, occurredAt: NOW },
      streamId: 'action-1',
      revision: 0,
      position,
      hash: 'h',
    });
    const item = (position: bigint, ours = true): AllReadItem => ({ position, event: ours ? ledgerEvent(position) : undefined });

    it('drops the event at the start position, which the read includes', () => {
      const page = toAllPage([item(100n), item(200n), item(300n)], 100n, 5, 6, 300n);

      expect(page.events.map((e) => e.position)).toEqual([200n, 300n]);
      expect(page).toMatchObject({ scannedTo: 300n, reachedEnd: true });
    });

    it('moves a short read to the head taken before it, also when nothing matched', () => {
      expect(toAllPage([], 100n, 5, 6, 900n)).toEqual({ events: [], scannedTo: 900n, reachedEnd: true });
      expect(toAllPage([item(100n)], 100n, 5, 6, 900n)).toEqual({ events: [], scannedTo: 900n, reachedEnd: true });
    });

    it('stops a full page at its last event, never beyond', () => {
      const page = toAllPage([item(100n), item(200n), item(300n), item(400n)], 100n, 2, 3, 900n);

      expect(page.events.map((e) => e.position)).toEqual([200n, 300n]);
      expect(page).toMatchObject({ scannedTo: 300n, reachedEnd: false });
    });

    it('skips events the ledger did not write but moves past them', () => {
      const page = toAllPage([item(200n, false), item(300n), item(400n, false)], 100n, 2, 3, 900n);

      expect(page.events.map((e) => e.position)).toEqual([300n]);
      expect(page).toMatchObject({ scannedTo: 400n, reachedEnd: false });
    });

    it('keeps the position of system events but never their content', () => {
      const proposed = toProposedEvent('$approvals-checkpoint-x', 0, newEvent(), null, NOW);
      const read = asRead('$approvals-checkpoint-x', proposed, 1234n) as AllStreamResolvedEvent;

      expect(toAllReadItem(read)).toEqual({ position: 1234n, event: undefined });
      expect(toAllReadItem(asRead('action-1', proposed, 1234n) as AllStreamResolvedEvent).event).toMatchObject({ streamId: 'action-1' });
    });
  });
});

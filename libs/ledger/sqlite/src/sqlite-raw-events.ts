import type { SQLOutputValue } from 'node:sqlite';
import { DatabaseSync } from 'node:sqlite';
import type { CheckedSegment, RawRecordedEvent } from '@approvals/application';
import { checkSegment, hashRawEvent } from '@approvals/application';

/** The columns of an event row, in the order rawEventOfRow reads them. */
export const COLUMNS = 'position, stream_id, revision, event_id, type, data, metadata, hash';

/** A row of COLUMNS read as an array, with readBigInts. */
export function rawEventOfRow(row: SQLOutputValue[]): RawRecordedEvent {
  return {
    position: row[0] as bigint,
    streamId: row[1] as string,
    revision: Number(row[2]),
    eventId: row[3] as string,
    type: row[4] as string,
    dataJson: row[5] as string,
    metadataJson: row[6] as string,
    hash: row[7] as string,
  };
}

/**
 * Checks segments of an embedded ledger read through a connection of its own (read-only, the file
 * mapped into memory, since it is read once front to back): what each verification thread runs.
 */
export function segmentChecker(file: string): { check(after: bigint, upTo: bigint, densePositions: boolean): CheckedSegment; close(): void } {
  const db = new DatabaseSync(file, { readOnly: true, timeout: 5000 });
  db.exec('PRAGMA mmap_size = 1073741824');
  const select = db.prepare(`SELECT ${COLUMNS} FROM events WHERE position > ? AND position <= ? ORDER BY position`, { readBigInts: true });
  select.setReturnArrays(true);
  // Row by row, so that only what the segment keeps outlives its row.
  function* hashed(after: bigint, upTo: bigint) {
    for (const row of select.iterate(after, upTo)) yield hashRawEvent(rawEventOfRow(row as unknown as SQLOutputValue[]));
  }
  return {
    check: (after, upTo, densePositions) => checkSegment(hashed(after, upTo), densePositions, Number(upTo - after)),
    close: () => db.close(),
  };
}

import { createHash } from 'node:crypto';
import canonicalize from 'canonicalize';

/** The fields of a stored event that its hash commits to (I8). */
export interface HashableEvent {
  streamId: string;
  revision: number;
  eventId: string;
  type: string;
  data: unknown;
  metadata: unknown;
}

/** RFC 8785 canonical JSON, so every adapter and verifier hashes identical bytes. */
export function canonicalJson(value: unknown): string {
  const text = canonicalize(value);
  if (text === undefined) throw new TypeError('value cannot be represented as canonical JSON');
  return text;
}

export const sha256Hex = (text: string): string => createHash('sha256').update(text).digest('hex');

/** Hash of one event; its metadata contains `prevHash`, which chains the stream. */
export function hashEvent(event: HashableEvent): string {
  return sha256Hex(
    canonicalJson({
      streamId: event.streamId,
      revision: event.revision,
      eventId: event.eventId,
      type: event.type,
      data: event.data,
      metadata: event.metadata,
    }),
  );
}

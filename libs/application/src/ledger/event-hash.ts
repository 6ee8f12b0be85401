import { hash } from 'node:crypto';
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

export const sha256Hex = (text: string): string => hash('sha256', text, 'hex');

/** Hash of one event; its metadata contains `prevHash`, which chains the stream. */
export function hashEvent(event: HashableEvent): string {
  return canonicalEvent(event).hash;
}

/**
 * The RFC 8785 texts of an event's data and metadata, and its hash: what a store writes, so that
 * a verifier can hash the stored texts without parsing them again (see hashOfCanonical).
 */
export function canonicalEvent(event: HashableEvent): { dataJson: string; metadataJson: string; hash: string } {
  const dataJson = canonicalJson(event.data);
  const metadataJson = canonicalJson(event.metadata);
  return { dataJson, metadataJson, hash: hashOfCanonical(event, dataJson, metadataJson) };
}

/**
 * The hash of an event from the canonical texts of its data and metadata: the canonical form of
 * the whole event is assembled around them, its members in RFC 8785 order (data, eventId,
 * metadata, revision, streamId, type), strings escaped as RFC 8785 does (JSON.stringify).
 */
export function hashOfCanonical(event: Pick<HashableEvent, 'streamId' | 'revision' | 'eventId' | 'type'>, dataJson: string, metadataJson: string): string {
  return sha256Hex(
    `{"data":${dataJson},"eventId":${JSON.stringify(event.eventId)},"metadata":${metadataJson},"revision":${Number.isSafeInteger(event.revision) ? String(event.revision) : canonicalJson(event.revision)},"streamId":${JSON.stringify(event.streamId)},"type":${JSON.stringify(event.type)}}`,
  );
}

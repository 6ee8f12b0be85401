import { createHash, randomUUID } from 'node:crypto';
import type { IdGenerator } from './ports/clock.port';

export const randomIds: IdGenerator = { next: () => randomUUID() };

/** A stable UUID-formatted id derived from the input (SHA-256 based, RFC 9562 version 8 layout). */
export function deterministicUuid(...parts: string[]): string {
  const hash = createHash('sha256').update(parts.join('\u0000')).digest();
  hash[6] = (hash[6]! & 0x0f) | 0x80;
  hash[8] = (hash[8]! & 0x3f) | 0x80;
  const hex = hash.subarray(0, 16).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}

/** I7: the action id is a function of the agent and its idempotency key. */
export const actionIdFor = (agentId: string, idempotencyKey: string): string =>
  deterministicUuid('action', agentId, idempotencyKey);

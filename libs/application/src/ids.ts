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

/** Action ids are lower-case UUIDs, as actionIdFor makes them: the one pattern every edge checks them with. */
export const ACTION_ID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export const isActionId = (value: string): boolean => ACTION_ID_PATTERN.test(value);

/** I7: the action id is a function of the agent and its idempotency key. */
export const actionIdFor = (agentId: string, idempotencyKey: string): string =>
  deterministicUuid('action', agentId, idempotencyKey);

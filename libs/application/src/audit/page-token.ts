import { canonicalJson, sha256Hex } from '../ledger/event-hash';
import type { ActionSearchCriteria } from './read-model-store.port';

/** Where the next page starts, plus a fingerprint of the filters the token was issued for. */
export interface PageCursor {
  requestedAtMs: number;
  actionId: string;
  filters: string;
}

type Filters = Omit<ActionSearchCriteria, 'after' | 'limit'>;

/** A short fingerprint of the filters, so a token is never replayed against a different search. */
export function filtersFingerprint(filters: Filters): string {
  return sha256Hex(
    canonicalJson({
      agentId: filters.agentId ?? '',
      action: filters.action ?? '',
      status: filters.status ?? '',
      environment: filters.environment ?? '',
      approverId: filters.approverId ?? '',
      requestedFromMs: filters.requestedFromMs ?? null,
      requestedBeforeMs: filters.requestedBeforeMs ?? null,
    }),
  ).slice(0, 16);
}

/** Opaque to clients: base64url of a small versioned JSON document. */
export function encodePageToken(cursor: PageCursor): string {
  return Buffer.from(JSON.stringify({ v: 1, t: cursor.requestedAtMs, a: cursor.actionId, f: cursor.filters }), 'utf8').toString('base64url');
}

/** The cursor in `token`, or undefined when it is not a token that {@link encodePageToken} made. */
export function decodePageToken(token: string): PageCursor | undefined {
  if (token.length > 2048 || !/^[A-Za-z0-9_-]+$/.test(token)) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
  } catch {
    return undefined;
  }
  if (typeof parsed !== 'object' || parsed === null) return undefined;
  const { v, t, a, f } = parsed as Record<string, unknown>;
  if (v !== 1 || !Number.isSafeInteger(t) || typeof a !== 'string' || a === '' || typeof f !== 'string') return undefined;
  return { requestedAtMs: t as number, actionId: a, filters: f };
}

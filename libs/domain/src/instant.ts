/**
 * Instants are ISO 8601 strings with an explicit offset, so that reading one never depends on
 * the host's time zone and a replay on another machine decides the same way.
 */
const instantPattern = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/;

/** Milliseconds since the epoch, or undefined when `value` is not an ISO 8601 instant with an offset. */
export const parseInstant = (value: unknown): number | undefined => {
  if (typeof value !== 'string' || !instantPattern.test(value)) return undefined;
  const ms = Date.parse(value);
  return Number.isFinite(ms) ? ms : undefined;
};

/** `instant` plus `seconds`, as an ISO 8601 UTC string; undefined when either is unusable. */
export const addSeconds = (instant: string, seconds: number): string | undefined => {
  const ms = parseInstant(instant);
  if (ms === undefined || !Number.isFinite(seconds)) return undefined;
  const result = new Date(ms + seconds * 1000);
  return Number.isFinite(result.getTime()) ? result.toISOString() : undefined;
};

/** True when `now` is at or past `deadline`. Fails closed: an unreadable instant counts as past it. */
export const isAtOrAfter = (now: string, deadline: string): boolean => {
  const n = parseInstant(now);
  const d = parseInstant(deadline);
  return n === undefined || d === undefined || n >= d;
};

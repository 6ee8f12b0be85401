// Same rule as the domain's (not exported there): an ISO 8601 instant must carry its offset, so
// comparing two never depends on the host's time zone.
const instantPattern = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/;

/** Milliseconds since the epoch, or undefined when `value` is not an ISO 8601 instant with an offset. */
export const instantToMs = (value: unknown): number | undefined => {
  if (typeof value !== 'string' || !instantPattern.test(value)) return undefined;
  const ms = Date.parse(value);
  return Number.isFinite(ms) ? ms : undefined;
};

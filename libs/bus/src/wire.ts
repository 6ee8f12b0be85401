/** The JSON text of a bus message, as every transport carries it; throws for what JSON cannot carry (undefined, a bigint, a cycle). */
export function toWire(message: unknown): string {
  const value: unknown = JSON.stringify(message);
  if (typeof value !== 'string') throw new TypeError(`a bus message must be a JSON value, not ${typeof message}`);
  return value;
}

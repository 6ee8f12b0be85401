const prefix = 'action-';

/** The one place that names an action's ledger stream. */
export const toActionStreamId = (actionId: string): string => `${prefix}${actionId}`;

export const fromActionStreamId = (streamId: string): string | undefined =>
  streamId.startsWith(prefix) ? streamId.slice(prefix.length) : undefined;

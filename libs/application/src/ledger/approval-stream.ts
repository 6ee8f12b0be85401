import type { ApprovalEvent, ApprovalState } from '@approvals/domain';
import { foldEvents, toActionStreamId } from '@approvals/domain';
import type { EventMetadata, EventStore, RecordedEvent } from '../ports/event-store.port';
import type { LedgerFinding, LedgerIntegrity } from './ledger-log';

/** Recorded ledger events of an action stream, viewed as domain events. */
export const toDomainEvent = (event: RecordedEvent): ApprovalEvent => ({ type: event.type, data: event.data }) as ApprovalEvent;

export interface LoadedAction {
  state: ApprovalState;
  events: RecordedEvent[];
  /** Revision of the last event, or -1 when the stream does not exist. */
  revision: number;
  /** Why the stream disagrees with the ledger log, when it was checked and does. */
  inconsistent?: LedgerFinding | undefined;
}

/**
 * Reads an action's stream and folds it into the aggregate state. With `integrity`, the stream is
 * checked against the ledger log (I8) and `inconsistent` says why it must not be used.
 */
export async function loadAction(store: EventStore, actionId: string, integrity?: LedgerIntegrity): Promise<LoadedAction> {
  const streamId = toActionStreamId(actionId);
  const { events, finding } = integrity ? await integrity.read(streamId, () => store.readStream(streamId)) : { events: await store.readStream(streamId), finding: undefined };
  return {
    state: foldEvents(events.map(toDomainEvent)),
    events,
    revision: events.length === 0 ? -1 : events[events.length - 1]!.revision,
    ...(finding ? { inconsistent: finding } : {}),
  };
}

export type { EventMetadata };

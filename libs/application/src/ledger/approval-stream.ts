import type { ApprovalEvent, ApprovalState } from '@approvals/domain';
import { foldEvents, toActionStreamId } from '@approvals/domain';
import type { EventMetadata, EventStore, RecordedEvent } from '../ports/event-store.port';

/** Recorded ledger events of an action stream, viewed as domain events. */
export const toDomainEvent = (event: RecordedEvent): ApprovalEvent => ({ type: event.type, data: event.data }) as ApprovalEvent;

export interface LoadedAction {
  state: ApprovalState;
  events: RecordedEvent[];
  /** Revision of the last event, or -1 when the stream does not exist. */
  revision: number;
}

/** Reads an action's stream and folds it into the aggregate state. */
export async function loadAction(store: EventStore, actionId: string): Promise<LoadedAction> {
  const events = await store.readStream(toActionStreamId(actionId));
  return {
    state: foldEvents(events.map(toDomainEvent)),
    events,
    revision: events.length === 0 ? -1 : events[events.length - 1]!.revision,
  };
}

export type { EventMetadata };

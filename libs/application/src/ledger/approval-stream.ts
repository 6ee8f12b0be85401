import { parseActionEvent } from '@approvals/contracts';
import type { ApprovalEvent, ApprovalState } from '@approvals/domain';
import { foldEvents, toActionStreamId } from '@approvals/domain';
import type { EventMetadata, EventStore, RecordedEvent } from '../ports/event-store.port';
import type { LedgerFinding, LedgerIntegrity } from './ledger-log';

/**
 * A recorded event of an action stream as a domain event, parsed by the event catalogue; undefined
 * for a type outside it, which changes nothing. Data that does not match its type throws
 * LedgerEventError: a defect or a forged record is never folded.
 */
export const toDomainEvent = (event: RecordedEvent): ApprovalEvent | undefined => parseActionEvent(event.type, event.data);

/**
 * The same for a reader that must go on past a bad event (a subscription, a watcher): data that
 * does not match is passed to `onInvalid` and the event is skipped.
 */
export function toDomainEventOrSkip(event: { type: string; data: unknown }, onInvalid: (error: unknown) => void = () => undefined): ApprovalEvent | undefined {
  try {
    return parseActionEvent(event.type, event.data);
  } catch (error) {
    onInvalid(error);
    return undefined;
  }
}

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
    state: foldEvents(events.flatMap((event) => toDomainEvent(event) ?? [])),
    events,
    revision: events.length === 0 ? -1 : events[events.length - 1]!.revision,
    ...(finding ? { inconsistent: finding } : {}),
  };
}

export type { EventMetadata };

import type { ActionChange, ActionRecord, AuditActionStatus } from './action-record';

/** One timeline entry as the read model stores it; absent texts are empty strings. */
export interface TimelineRecord {
  actionId: string;
  /** Global ledger position. */
  position: bigint;
  /** Revision within the action's stream. */
  revision: number;
  eventId: string;
  type: string;
  occurredAt: string;
  actor: string;
  summary: string;
  /** The event's data as JSON, secrets redacted. */
  dataJson: string;
  traceId: string;
  hash: string;
  prevHash: string;
}

/** One ledger event turned into what the read model stores. */
export interface ProjectedEvent {
  position: bigint;
  entry: TimelineRecord;
  /** Absent for events that change nothing searchable (e.g. ApprovalNotified). */
  change?: ActionChange | undefined;
}

/** A validated search; every filter present must match. Results are newest first. */
export interface ActionSearchCriteria {
  agentId?: string | undefined;
  action?: string | undefined;
  status?: AuditActionStatus | undefined;
  environment?: string | undefined;
  /** Someone who voted (or tried to) on the action. */
  approverId?: string | undefined;
  /** Inclusive lower bound on `requestedAtMs`. */
  requestedFromMs?: number | undefined;
  /** Exclusive upper bound on `requestedAtMs`. */
  requestedBeforeMs?: number | undefined;
  /** Continue strictly after this action in the order (requestedAtMs desc, actionId desc). */
  after?: { requestedAtMs: number; actionId: string } | undefined;
  /** How many actions to return at most. */
  limit: number;
}

/** An action's stored timeline, entries in stream order; `action` is absent if no request was projected. */
export interface StoredTimeline {
  action: ActionRecord | undefined;
  entries: TimelineRecord[];
}

/**
 * What the audit projector needs from the read model. Adapters: SQLite (embedded), later
 * PostgreSQL. The read model is derived from the ledger and can always be rebuilt from it.
 */
export interface ReadModelStore {
  /** Position of the last event applied; 0n for an empty read model. */
  loadCheckpoint(): Promise<bigint>;
  /**
   * In one transaction: unless `event.position` is at or below the checkpoint, stores the entry
   * (never twice for one event id), folds the change into the action with `applyActionChange`
   * and moves the checkpoint to `event.position`. Returns whether anything was written.
   */
  apply(event: ProjectedEvent): Promise<'applied' | 'skipped'>;
  /** Empties the read model and sets the checkpoint back to 0n, atomically. */
  reset(): Promise<void>;
  /** The action and its entries; undefined when nothing about the action was projected. */
  getTimeline(actionId: string): Promise<StoredTimeline | undefined>;
  /** At most `criteria.limit` matching actions, ordered by requestedAtMs desc, then actionId desc. */
  searchActions(criteria: ActionSearchCriteria): Promise<ActionRecord[]>;
}

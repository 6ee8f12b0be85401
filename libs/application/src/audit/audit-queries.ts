import type {
  ActionSummary__Output,
  SearchActionsRequest,
  SearchActionsResponse__Output,
  Timeline__Output,
  TimelineEntry__Output,
} from '@approvals/contracts';
import { parseInstant, type Result } from '@approvals/domain';
import { auditActionStatuses, type ActionRecord, type AuditActionStatus } from './action-record';
import { decodePageToken, encodePageToken, filtersFingerprint } from './page-token';
import type { ActionSearchCriteria, ReadModelStore, TimelineRecord } from './read-model-store.port';

/** Errors of the audit queries, as values; the edge maps them to gRPC statuses or HTTP problems. */
export interface AuditQueryError {
  code: 'NOT_FOUND' | 'INVALID_ARGUMENT';
  message: string;
}

export const DEFAULT_SEARCH_LIMIT = 50;
export const MAX_SEARCH_LIMIT = 500;

const ok = <T>(value: T): Result<T, AuditQueryError> => ({ ok: true, value });
const invalid = (message: string): Result<never, AuditQueryError> => ({ ok: false, error: { code: 'INVALID_ARGUMENT', message } });

/** The auditors' questions, answered from the read model in the shapes of `approvals.v1.AuditService`. */
export class AuditQueries {
  constructor(private readonly store: ReadModelStore) {}

  /** Every projected event of one action, in stream order. */
  async getTimeline(actionId: string): Promise<Result<Timeline__Output, AuditQueryError>> {
    if (typeof actionId !== 'string' || actionId.trim() === '') return invalid('action_id is required');
    const timeline = await this.store.getTimeline(actionId);
    if (!timeline || (timeline.action === undefined && timeline.entries.length === 0)) {
      return {
        ok: false,
        error: { code: 'NOT_FOUND', message: `action ${actionId} is not in the audit read model (unknown, or not projected yet)` },
      };
    }
    return ok({
      actionId,
      status: timeline.action?.status ?? 'ACTION_STATUS_UNSPECIFIED',
      entries: timeline.entries.map(toTimelineEntry),
    });
  }

  /** Actions matching every filter given, newest request first, one page at a time. */
  async searchActions(request: SearchActionsRequest): Promise<Result<SearchActionsResponse__Output, AuditQueryError>> {
    const parsed = parseSearch(request);
    if (!parsed.ok) return parsed;
    const { criteria, fingerprint } = parsed.value;
    const found = await this.store.searchActions({ ...criteria, limit: criteria.limit + 1 });
    const items = found.slice(0, criteria.limit);
    const last = items[items.length - 1];
    const nextPageToken =
      found.length > criteria.limit && last
        ? encodePageToken({ requestedAtMs: last.requestedAtMs, actionId: last.actionId, filters: fingerprint })
        : '';
    return ok({ items: items.map(toActionSummary), nextPageToken });
  }
}

/** Validates a search request into store criteria; every message names the offending field. */
export function parseSearch(
  request: SearchActionsRequest,
): Result<{ criteria: ActionSearchCriteria; fingerprint: string }, AuditQueryError> {
  const limit = parseLimit(request.limit);
  if (!limit.ok) return limit;
  const status = parseStatus(request.status);
  if (!status.ok) return status;
  const from = parseBound('requested_after', request.requestedAfter);
  if (!from.ok) return from;
  const before = parseBound('requested_before', request.requestedBefore);
  if (!before.ok) return before;
  if (from.value !== undefined && before.value !== undefined && from.value >= before.value) {
    return invalid(`requested_after (${request.requestedAfter}) must be earlier than requested_before (${request.requestedBefore})`);
  }
  const filters = {
    agentId: textFilter(request.agentId),
    action: textFilter(request.action),
    status: status.value,
    environment: textFilter(request.environment),
    approverId: textFilter(request.approverId),
    requestedFromMs: from.value,
    requestedBeforeMs: before.value,
  };
  const fingerprint = filtersFingerprint(filters);
  let after: ActionSearchCriteria['after'];
  if (request.pageToken) {
    const cursor = typeof request.pageToken === 'string' ? decodePageToken(request.pageToken) : undefined;
    if (!cursor) return invalid('page_token is malformed: pass the next_page_token of a previous response unchanged, or leave it empty for the first page');
    if (cursor.filters !== fingerprint) {
      return invalid('page_token was issued for a search with different filters: repeat the search with the same filters, or leave page_token empty');
    }
    after = { requestedAtMs: cursor.requestedAtMs, actionId: cursor.actionId };
  }
  return ok({ criteria: { ...filters, after, limit: limit.value }, fingerprint });
}

function parseLimit(limit: unknown): Result<number, AuditQueryError> {
  if (limit === undefined || limit === null || limit === 0) return ok(DEFAULT_SEARCH_LIMIT);
  if (typeof limit !== 'number' || !Number.isInteger(limit) || limit < 1 || limit > MAX_SEARCH_LIMIT) {
    return invalid(`limit must be a whole number from 1 to ${MAX_SEARCH_LIMIT} (0 or unset means ${DEFAULT_SEARCH_LIMIT}), got ${String(limit)}`);
  }
  return ok(limit);
}

function parseStatus(status: unknown): Result<AuditActionStatus | undefined, AuditQueryError> {
  if (status === undefined || status === null || status === '' || status === 0 || status === 'ACTION_STATUS_UNSPECIFIED') return ok(undefined);
  if (typeof status === 'number' && Number.isInteger(status) && status >= 1 && status <= auditActionStatuses.length) {
    return ok(auditActionStatuses[status - 1]);
  }
  const known = auditActionStatuses.find((name) => name === status);
  if (known) return ok(known);
  return invalid(`status ${JSON.stringify(status)} is not an action status; use one of ${auditActionStatuses.join(', ')}`);
}

function parseBound(field: string, value: unknown): Result<number | undefined, AuditQueryError> {
  if (value === undefined || value === null || value === '') return ok(undefined);
  const ms = parseInstant(value);
  if (ms === undefined) {
    return invalid(`${field} ${JSON.stringify(value)} is not an ISO 8601 instant with an offset, e.g. 2025-01-31T09:00:00Z`);
  }
  return ok(ms);
}

const textFilter = (value: string | undefined): string | undefined => (value ? value : undefined);

function toTimelineEntry(entry: TimelineRecord): TimelineEntry__Output {
  return {
    position: entry.position.toString(),
    revision: entry.revision,
    eventId: entry.eventId,
    type: entry.type,
    occurredAt: entry.occurredAt,
    actor: entry.actor,
    summary: entry.summary,
    dataJson: entry.dataJson,
    traceId: entry.traceId,
    hash: entry.hash,
    prevHash: entry.prevHash,
  };
}

function toActionSummary(action: ActionRecord): ActionSummary__Output {
  return {
    actionId: action.actionId,
    status: action.status,
    agentId: action.agentId,
    onBehalfOf: action.onBehalfOf,
    action: action.action,
    resource: { kind: action.resourceKind, id: action.resourceId },
    environment: action.environment,
    requestedAt: action.requestedAt,
    decidedAt: action.decidedAt,
    approvedBy: [...action.approvedBy],
    policyVersion: action.policyVersion,
    reason: action.reason,
  };
}

import type { ActionRecord, AuditActionStatus, TimelineRecord } from '@approvals/application';

// The read model's rows as both stores (SQLite, PostgreSQL) write and read them: one column list
// and one mapping each way, so the two cannot drift apart.

export const ACTION_COLUMNS = `action_id, status, agent_id, on_behalf_of, action, resource_kind, resource_id, environment,
  requested_at, requested_at_ms, decided_at, approved_by, voters, policy_version, reason`;
export const TIMELINE_COLUMNS = 'action_id, revision, position, event_id, type, occurred_at, actor, summary, data_json, trace_id, hash, prev_hash';

/** A row as a driver returns it: column name to value (bigints as bigint, string or number). */
type Row = Record<string, unknown>;

/** The values of ACTION_COLUMNS, in order. */
export const actionValues = (action: ActionRecord) => [
  action.actionId,
  action.status,
  action.agentId,
  action.onBehalfOf,
  action.action,
  action.resourceKind,
  action.resourceId,
  action.environment,
  action.requestedAt,
  action.requestedAtMs,
  action.decidedAt,
  JSON.stringify(action.approvedBy),
  JSON.stringify(action.voters),
  action.policyVersion,
  action.reason,
];

/** The values of TIMELINE_COLUMNS, in order; `position` as the caller's driver wants it. */
export const timelineValues = <P>(entry: TimelineRecord, position: (p: bigint) => P) => [
  entry.actionId,
  entry.revision,
  position(entry.position),
  entry.eventId,
  entry.type,
  entry.occurredAt,
  entry.actor,
  entry.summary,
  entry.dataJson,
  entry.traceId,
  entry.hash,
  entry.prevHash,
];

export function toActionRecord(row: Row): ActionRecord {
  return {
    actionId: row['action_id'] as string,
    status: row['status'] as AuditActionStatus,
    agentId: row['agent_id'] as string,
    onBehalfOf: row['on_behalf_of'] as string,
    action: row['action'] as string,
    resourceKind: row['resource_kind'] as string,
    resourceId: row['resource_id'] as string,
    environment: row['environment'] as string,
    requestedAt: row['requested_at'] as string,
    requestedAtMs: Number(row['requested_at_ms']),
    decidedAt: row['decided_at'] as string,
    approvedBy: JSON.parse(row['approved_by'] as string) as string[],
    voters: JSON.parse(row['voters'] as string) as string[],
    policyVersion: row['policy_version'] as string,
    reason: row['reason'] as string,
  };
}

export function toTimelineRecord(row: Row): TimelineRecord {
  return {
    actionId: row['action_id'] as string,
    revision: Number(row['revision']),
    position: BigInt(row['position'] as bigint | string),
    eventId: row['event_id'] as string,
    type: row['type'] as string,
    occurredAt: row['occurred_at'] as string,
    actor: row['actor'] as string,
    summary: row['summary'] as string,
    dataJson: row['data_json'] as string,
    traceId: row['trace_id'] as string,
    hash: row['hash'] as string,
    prevHash: row['prev_hash'] as string,
  };
}

import type { ActionStatus__Output } from '@approvals/contracts';

/** The statuses an action can have in the read model (the proto enum without UNSPECIFIED). */
export type AuditActionStatus = Exclude<ActionStatus__Output, 'ACTION_STATUS_UNSPECIFIED'>;

/** Every status, in the proto enum's order (index + 1 is the enum number). */
export const auditActionStatuses: readonly AuditActionStatus[] = [
  'PENDING_POLICY',
  'AWAITING_APPROVAL',
  'APPROVED',
  'DENIED',
  'EXPIRED',
  'CANCELLED',
];

const finalStatuses: ReadonlySet<AuditActionStatus> = new Set<AuditActionStatus>(['APPROVED', 'DENIED', 'EXPIRED', 'CANCELLED']);

/** True for the four final outcomes, which never change again (I3). */
export const isFinalStatus = (status: AuditActionStatus): boolean => finalStatuses.has(status);

/** One action as the auditors' read model keeps it; absent texts are empty strings. */
export interface ActionRecord {
  actionId: string;
  status: AuditActionStatus;
  agentId: string;
  onBehalfOf: string;
  action: string;
  resourceKind: string;
  resourceId: string;
  environment: string;
  requestedAt: string;
  /** `requestedAt` in epoch milliseconds: the sort key, whatever offset the instant was written with. */
  requestedAtMs: number;
  decidedAt: string;
  /** From `ActionApproved.approvedBy`. */
  approvedBy: string[];
  /** Everyone who voted or tried to (rejected attempts included), in order of first attempt. */
  voters: string[];
  policyVersion: string;
  /** Why the action is where it is: the policy's reasons, then the final outcome's reason. */
  reason: string;
}

/** What one event changes about its action; fields left out stay as they are. */
export interface ActionChange {
  actionId: string;
  /** The row to create (ActionRequested only). */
  requested?: ActionRecord | undefined;
  status?: AuditActionStatus | undefined;
  decidedAt?: string | undefined;
  approvedBy?: string[] | undefined;
  /** An approver to add to `voters`. */
  voter?: string | undefined;
  policyVersion?: string | undefined;
  reason?: string | undefined;
}

/**
 * Folds one change into the stored action. Total and idempotent: there is no row before the
 * request, the first request wins, and once the status is final only new voters are recorded
 * (late attempts stay searchable; the outcome never changes).
 */
export function applyActionChange(current: ActionRecord | undefined, change: ActionChange): ActionRecord | undefined {
  if (change.requested) return current ?? { ...change.requested, approvedBy: [...change.requested.approvedBy], voters: [...change.requested.voters] };
  if (!current) return undefined;
  const voters = change.voter !== undefined && !current.voters.includes(change.voter) ? [...current.voters, change.voter] : current.voters;
  if (isFinalStatus(current.status)) return voters === current.voters ? current : { ...current, voters };
  return {
    ...current,
    status: change.status ?? current.status,
    decidedAt: change.decidedAt ?? current.decidedAt,
    approvedBy: change.approvedBy ? [...change.approvedBy] : current.approvedBy,
    voters,
    policyVersion: change.policyVersion ?? current.policyVersion,
    reason: change.reason ?? current.reason,
  };
}

import type { ApprovalStep, ResourceRef } from '@approvals/domain';

/** An approval request waiting for votes, as the notifier keeps it. */
export interface PendingApproval {
  actionId: string;
  agentId: string;
  onBehalfOf?: string | undefined;
  agentOwner?: string | undefined;
  action: string;
  resource: ResourceRef;
  environment: string;
  justification: string;
  steps: ApprovalStep[];
  approvedBy: string[];
  voters: string[];
  reasons: string[];
  requestedAt: string;
  expiresAt: string;
  notified: boolean;
}

export interface PendingApprovalStore {
  get(actionId: string): Promise<PendingApproval | undefined>;
  put(item: PendingApproval): Promise<void>;
  remove(actionId: string): Promise<void>;
  /** Oldest first. */
  list(limit: number): Promise<PendingApproval[]>;
}

/** A place approvers are told about a request (a log in this slice; Slack and Teams later). */
export interface NotificationChannel {
  readonly name: string;
  deliver(item: PendingApproval): Promise<{ target: string }>;
}

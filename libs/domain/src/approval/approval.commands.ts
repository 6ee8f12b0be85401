import type { ActionRequest, Approver, ApprovalRequirement, PolicyOutcome, VoteDecision } from './approval.events';

/** Time always comes in with the command, so `decide` stays pure and replayable. */
export interface CommandMeta {
  now: string;
}

export interface RequestAction {
  type: 'RequestAction';
  data: { actionId: string; request: ActionRequest; requestHash: string; agentOwner?: string | undefined };
  meta: CommandMeta;
}

export interface RecordEvaluation {
  type: 'RecordEvaluation';
  data: {
    actionId: string;
    outcome: PolicyOutcome;
    policyVersion: string;
    determiningPolicies: string[];
    reasons: string[];
    requirement?: ApprovalRequirement | undefined;
  };
  meta: CommandMeta;
}

export interface CastVote {
  type: 'CastVote';
  data: { actionId: string; approver: Approver; decision: VoteDecision; comment?: string | undefined };
  meta: CommandMeta;
}

export interface ExpireApproval {
  type: 'ExpireApproval';
  data: { actionId: string };
  meta: CommandMeta;
}

/** Gives up on an action whose policy evaluation never arrived: it expires, never allowed (I4, I6). */
export interface ExpireUnevaluated {
  type: 'ExpireUnevaluated';
  data: { actionId: string; reason: string };
  meta: CommandMeta;
}

export interface CancelAction {
  type: 'CancelAction';
  data: { actionId: string; cancelledBy: string; reason: string };
  meta: CommandMeta;
}

export interface IssueGrant {
  type: 'IssueGrant';
  data: { actionId: string; grantId: string; token: string; expiresAt: string };
  meta: CommandMeta;
}

export interface RecordNotification {
  type: 'RecordNotification';
  data: { actionId: string; channel: string; target: string };
  meta: CommandMeta;
}

export interface ReportExecution {
  type: 'ReportExecution';
  data: { actionId: string; agentId: string; grantId: string; status: 'SUCCEEDED' | 'FAILED'; detail: string };
  meta: CommandMeta;
}

export type ApprovalCommand =
  | RequestAction
  | RecordEvaluation
  | CastVote
  | ExpireApproval
  | ExpireUnevaluated
  | CancelAction
  | IssueGrant
  | RecordNotification
  | ReportExecution;

/**
 * Every inter-service message name, in one table. Events go to topics (publish/subscribe);
 * commands are request/reply patterns served by the decision service, the single writer.
 * The version suffix changes when a payload changes incompatibly.
 */
export const Topics = {
  /** Every ledger event, relayed from the ledger by the decision service's outbox. Key: actionId. */
  ledgerEvents: 'approvals.ledger-events.v1',
  /** Results of the policy evaluator. Key: actionId. */
  policyEvaluations: 'approvals.policy-evaluations.v1',
  /**
   * Commands for the decision service over Kafka (the `approvals-command` header names which one).
   * One topic keyed by actionId keeps an action's commands in order whatever their kind.
   */
  decisionCommands: 'approvals.decision.commands.v1',
  /** Replies to commands, keyed by correlation id; each sender reads them in its own group. */
  commandReplies: 'approvals.command-replies.v1',
  /** Messages a consumer gave up on, with the error; read by operators, never by services. */
  deadLetters: 'approvals.dead-letters.v1',
} as const;

export const Commands = {
  requestAction: 'approvals.decision.request-action.v1',
  castVote: 'approvals.decision.cast-vote.v1',
  cancelAction: 'approvals.decision.cancel-action.v1',
  reportExecution: 'approvals.decision.report-execution.v1',
  recordNotification: 'approvals.decision.record-notification.v1',
  revokeStandingApproval: 'approvals.decision.revoke-standing-approval.v1',
  invokeBreakGlass: 'approvals.decision.invoke-break-glass.v1',
  reviewBreakGlass: 'approvals.decision.review-break-glass.v1',
  redeemGrant: 'approvals.decision.redeem-grant.v1',
  escalateApproval: 'approvals.decision.escalate-approval.v1',
} as const;

export type TopicName = (typeof Topics)[keyof typeof Topics];
export type CommandName = (typeof Commands)[keyof typeof Commands];

/** Partition counts for the broker (distributed mode); the in-process bus uses them too. */
export const topicPartitions: Record<TopicName, number> = {
  [Topics.ledgerEvents]: 6,
  [Topics.policyEvaluations]: 6,
  [Topics.decisionCommands]: 6,
  [Topics.commandReplies]: 3,
  [Topics.deadLetters]: 1,
};

/** Kafka headers of the command request/reply protocol (distributed mode). */
export const CommandHeaders = {
  /** Which command (a `Commands` value) the message carries. */
  command: 'approvals-command',
  /** The topic the reply goes to. */
  replyTo: 'approvals-reply-to',
  /** Pairs a reply with its request. */
  correlationId: 'approvals-correlation-id',
} as const;

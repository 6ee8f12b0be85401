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
} as const;

export const Commands = {
  requestAction: 'approvals.decision.request-action.v1',
  castVote: 'approvals.decision.cast-vote.v1',
  cancelAction: 'approvals.decision.cancel-action.v1',
  reportExecution: 'approvals.decision.report-execution.v1',
  recordNotification: 'approvals.decision.record-notification.v1',
} as const;

export type TopicName = (typeof Topics)[keyof typeof Topics];
export type CommandName = (typeof Commands)[keyof typeof Commands];

/** Partition counts for the broker (distributed mode); the in-process bus uses them too. */
export const topicPartitions: Record<TopicName, number> = {
  [Topics.ledgerEvents]: 6,
  [Topics.policyEvaluations]: 6,
};

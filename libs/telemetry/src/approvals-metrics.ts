import type { Attributes, Counter, Histogram, Meter, ObservableGauge } from '@opentelemetry/api';
import { metrics } from '@opentelemetry/api';

/** Every metric of ours, by name: the one place docs/telemetry.md and the tests read them from. */
export const MetricNames = {
  /** Actions that reached their final outcome, by outcome and by who decided. */
  actionsCompleted: 'approvals.actions.completed',
  /** From the agent's request to the final outcome (auto-decided vs human-approved apart). */
  outcomeDuration: 'approvals.action.outcome.duration',
  /** Approval requests waiting for people right now. */
  pendingApprovals: 'approvals.approval_requests.pending',
  /** One Cedar evaluation, by result. */
  policyEvaluationDuration: 'approvals.policy.evaluation.duration',
  /** One append to the ledger, by store and result. */
  ledgerAppendDuration: 'approvals.ledger.append.duration',
  /** Ledger events the audit projection has not applied yet. */
  projectorLagEvents: 'approvals.projector.lag.events',
  /** Age of the oldest ledger event the audit projection has not applied yet (0 when caught up). */
  projectorLag: 'approvals.projector.lag.time',
  /** Messages of a Kafka partition this service's consumer group has not processed yet. */
  consumerLag: 'approvals.bus.consumer.lag',
  /** Deliveries to approvers' channels, by channel and result. */
  notificationsDelivered: 'approvals.notifications.delivered',
  /** HTTP requests refused with 429 by the per-client rate limit, by limit. */
  httpThrottled: 'approvals.http.requests.throttled',
  /** Refused channel callbacks (forged, stale, replayed, unknown user), by channel and reason, whether recorded one by one or summed up. */
  callbacksRefused: 'approvals.channel.callbacks.refused',
  /** Faults that reached a process's last-resort handler (a bug each: the process keeps running), by kind. */
  unhandledFaults: 'approvals.process.unhandled_faults',
  /** Inconsistencies between the ledger and its log (I8), by kind: each needs an operator. */
  ledgerInconsistencies: 'approvals.ledger.inconsistencies',
  /** Leaves in the ledger's Merkle tree (events the log keeper has taken). */
  ledgerLogSize: 'approvals.ledger.log.size',
} as const;

/** Attribute names of our metrics and spans. */
export const ApprovalsAttributes = {
  outcome: 'approvals.outcome',
  decidedBy: 'approvals.decided_by',
  policyOutcome: 'approvals.policy.outcome',
  policyVersion: 'approvals.policy.version',
  ledgerStore: 'approvals.ledger.store',
  result: 'approvals.result',
  channel: 'approvals.channel',
  actionId: 'approvals.action.id',
  eventType: 'approvals.event.type',
} as const;

// Seconds-scale buckets: the default boundaries are made for milliseconds.
const fastBuckets = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5];
const outcomeBuckets = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 5, 30, 60, 300, 900, 3600, 14_400, 86_400];

/** The meter of our own metrics; create instruments after the telemetry started (the metrics API has no proxy). */
export const approvalsMeter = (): Meter => metrics.getMeter('approvals');

export const outcomeInstruments = (meter = approvalsMeter()): { completed: Counter<Attributes>; duration: Histogram<Attributes> } => ({
  completed: meter.createCounter(MetricNames.actionsCompleted, { description: 'Actions that reached their final outcome', unit: '{action}' }),
  duration: meter.createHistogram(MetricNames.outcomeDuration, {
    description: 'Time from the request to the final outcome',
    unit: 's',
    advice: { explicitBucketBoundaries: outcomeBuckets },
  }),
});

export const durationHistogram = (name: string, description: string, meter = approvalsMeter()): Histogram<Attributes> =>
  meter.createHistogram(name, { description, unit: 's', advice: { explicitBucketBoundaries: fastBuckets } });

/** A gauge read when metrics are collected (a scrape of /metrics, an OTLP export). */
export function observeGauge(
  name: string,
  options: { description: string; unit: string },
  read: () => number | readonly { value: number; attributes: Attributes }[] | Promise<number | readonly { value: number; attributes: Attributes }[]>,
  meter = approvalsMeter(),
): ObservableGauge<Attributes> {
  const gauge = meter.createObservableGauge(name, options);
  gauge.addCallback(async (result) => {
    try {
      const value = await read();
      if (typeof value === 'number') result.observe(value);
      else for (const point of value) result.observe(point.value, point.attributes);
    } catch {
      // An unreachable store means no reading this time, not a failed scrape.
    }
  });
  return gauge;
}

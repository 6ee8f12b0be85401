import type { Attributes, Histogram } from '@opentelemetry/api';
import type { PolicyDecision, PolicyEngine } from '@approvals/application';
import type { ActionRequest } from '@approvals/domain';
import { ApprovalsAttributes, MetricNames, durationHistogram } from './approvals-metrics';
import { SERVICE_ATTRIBUTE, inSpan, tracerOf } from './tracing';

/** The policy engine, observed: each evaluation is a span (`policy.evaluate`) and a duration sample. */
export function instrumentPolicyEngine(engine: PolicyEngine): PolicyEngine {
  const tracer = tracerOf('policy-evaluator');
  const duration: Histogram<Attributes> = durationHistogram(MetricNames.policyEvaluationDuration, 'Time to evaluate one request against the Cedar policies');
  return {
    get version() {
      return engine.version;
    },
    evaluate: (request: ActionRequest): Promise<PolicyDecision> =>
      inSpan(tracer, { name: 'policy.evaluate', attributes: { [SERVICE_ATTRIBUTE]: 'policy-evaluator', 'approvals.action.name': request.action } }, async (span) => {
        const started = performance.now();
        let outcome = 'error';
        try {
          const decision = await engine.evaluate(request);
          outcome = decision.outcome;
          span.setAttributes({
            [ApprovalsAttributes.policyOutcome]: decision.outcome,
            [ApprovalsAttributes.policyVersion]: decision.policyVersion,
            'approvals.policy.determining': decision.determiningPolicies,
          });
          return decision;
        } finally {
          duration.record((performance.now() - started) / 1000, { [ApprovalsAttributes.policyOutcome]: outcome });
        }
      }),
  };
}

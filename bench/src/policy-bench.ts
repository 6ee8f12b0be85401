import { join } from 'node:path';
import * as cedar from '@cedar-policy/cedar-wasm/nodejs';
import { CedarPolicyEngine, findDemoPolicyDir, loadCedarPolicySet, loadPolicyTestCases, toCedarRequest } from '@approvals/policy-cedar';
import { loadDirectory } from '@approvals/identity';

type ActionRequest = Parameters<CedarPolicyEngine['evaluate']>[0];

// Policy evaluation on one thread: our engine (request mapping, Cedar, reading the outcome,
// requirements and reasons from annotations) next to the bare pre-parsed Cedar call it makes,
// on the same requests in the same run, so our overhead is a ratio.

export interface PolicyFigures {
  policySet: string;
  requests: number;
  evaluations: number;
  engine: { perSecond: number; microsPerEvaluation: number };
  bareCedar: { perSecond: number; microsPerEvaluation: number };
  /** engine time / bare Cedar time per evaluation. */
  overhead: number;
  outcomes: Record<string, number>;
}

const request = (overrides: Partial<ActionRequest>): ActionRequest => ({
  agentId: 'agent-reporting',
  model: 'bench-model',
  action: 'db.read',
  resource: { kind: 'dataset', id: 'customers' },
  environment: 'prod',
  parameters: {},
  justification: 'benchmark',
  idempotencyKey: 'bench',
  ...overrides,
});

/** The demo set's three outcomes, one request each kind. */
const demoRequests: ActionRequest[] = [
  request({}),
  request({ action: 'db.export', parameters: { rows: 5000 } }),
  request({ action: 'db.export', parameters: { rows: 10 }, environment: 'staging' }),
  request({ agentId: 'agent-ops', action: 'iam.escalate', resource: { kind: 'role', id: 'admin' } }),
  request({ agentId: 'agent-ops', action: 'infra.delete', resource: { kind: 'cluster', id: 'eu-1' } }),
  request({ agentId: 'agent-ops', action: 'infra.delete', resource: { kind: 'cluster', id: 'eu-1' }, environment: 'staging' }),
];

function timed(evaluations: number, run: (i: number) => unknown): number {
  const start = process.hrtime.bigint();
  for (let i = 0; i < evaluations; i += 1) run(i);
  return Number(process.hrtime.bigint() - start) / 1e9;
}

/** The shipped policy sets: the demo set with one request per outcome, and the example set with the requests of its policy tests. */
export function benchPolicies(options: { evaluations?: number; log?: (line: string) => void } = {}): PolicyFigures[] {
  const demo = findDemoPolicyDir();
  const examples = join(demo, '..', 'examples');
  const exampleRequests = loadPolicyTestCases(join(examples, 'tests', 'examples.policy-tests.json')).map(
    (testCase): ActionRequest => ({ ...testCase.request, parameters: testCase.request.parameters as ActionRequest['parameters'], idempotencyKey: 'bench' }),
  );
  return [benchPolicySet(demo, demoRequests, options), benchPolicySet(examples, exampleRequests, options)];
}

function benchPolicySet(
  dir: string,
  requests: readonly ActionRequest[],
  options: { evaluations?: number; log?: (line: string) => void },
): PolicyFigures {
  const evaluations = options.evaluations ?? 100_000;
  const log = options.log ?? (() => undefined);
  const set = loadCedarPolicySet(dir);
  const directory = loadDirectory(join(dir, 'directory.json'));
  const engine = new CedarPolicyEngine(set, { directory });
  // Requests denied before Cedar (e.g. an agent the directory does not know) have no bare call to compare with.
  requests = requests.filter((r) => toCedarRequest(r, set.namespace, directory).ok);
  // The bare call gets requests already built: only Cedar's own work is timed.
  const built = requests.map((r) => {
    const mapped = toCedarRequest(r, set.namespace, directory);
    if (!mapped.ok) throw new Error(`bench request cannot be mapped: ${mapped.reason}`);
    return { ...mapped.value, preparsedSchemaName: set.version, preparsedPolicySetId: set.version, validateRequest: true };
  });
  const outcomes: Record<string, number> = {};
  for (const r of requests) {
    const outcome = engine.evaluate(r).outcome;
    outcomes[outcome] = (outcomes[outcome] ?? 0) + 1;
  }
  for (const call of built) {
    const answer = cedar.statefulIsAuthorized(call);
    if (answer.type === 'failure') throw new Error(`bare Cedar call failed: ${answer.errors.map((e) => e.message).join('; ')}`);
  }

  // Warm-up, then alternate the two measurements twice so neither gets all the quiet moments.
  const warm = Math.min(10_000, evaluations);
  timed(warm, (i) => engine.evaluate(requests[i % requests.length]!));
  timed(warm, (i) => cedar.statefulIsAuthorized(built[i % built.length]!));
  let engineSeconds = 0;
  let bareSeconds = 0;
  for (let round = 0; round < 2; round += 1) {
    engineSeconds += timed(evaluations / 2, (i) => engine.evaluate(requests[i % requests.length]!));
    bareSeconds += timed(evaluations / 2, (i) => cedar.statefulIsAuthorized(built[i % built.length]!));
  }
  const figures = (seconds: number) => ({
    perSecond: Math.round(evaluations / seconds),
    microsPerEvaluation: Number(((seconds * 1e6) / evaluations).toFixed(2)),
  });
  const result: PolicyFigures = {
    policySet: `${dir} (${set.policies.size} policies, ${set.version})`,
    requests: requests.length,
    evaluations,
    engine: figures(engineSeconds),
    bareCedar: figures(bareSeconds),
    overhead: Number((engineSeconds / bareSeconds).toFixed(2)),
    outcomes,
  };
  log(`policy (${dir}): ${result.engine.perSecond} evaluations/s (${result.engine.microsPerEvaluation} µs), bare Cedar ${result.bareCedar.perSecond}/s, overhead ${result.overhead}x`);
  return result;
}

import { dirname, resolve } from 'node:path';
import type { PolicyTestResult } from '@approvals/policy-cedar';
import { CedarPolicyEngine, PolicySetLoadError, parseCedarPolicySet, approverGroupProblems, loadCedarPolicySet, loadPolicyTestCases, runPolicyTests } from '@approvals/policy-cedar';
import { loadDirectory } from '@approvals/identity';
import type { Timeline__Output } from '@approvals/contracts';
import { ledgerEventSchemas, parseMessage } from '@approvals/contracts';
import { expectPositionals, parseCommandArgs } from '../args';
import { ExitCode, UsageError } from '../errors';
import { formatTable } from '../table';
import { callerOf, callerOptions, printJson, type CliContext, type Command } from './command';

const options = {
  policies: { type: 'string', value: '<dir>', description: 'the policy set: one *.cedarschema and the *.cedar files (default: the directory file\'s folder)' },
  ...callerOptions,
} as const;

/**
 * Loads the policy set and the directory: the policies validated against the schema, their
 * annotations, and the approver groups against the directory. Problems are printed as
 * `file:line: message` and end the command with exit code 1.
 */
function load(ctx: CliContext, policiesFlag: string | undefined) {
  const policyDir = resolve(policiesFlag ?? dirname(ctx.directoryPath));
  try {
    const set = loadCedarPolicySet(policyDir);
    const directory = loadDirectory(ctx.directoryPath);
    return { ok: true as const, set, directory, policyDir, problems: approverGroupProblems(set, directory) };
  } catch (error) {
    if (error instanceof PolicySetLoadError) return { ok: false as const, policyDir, error };
    throw error;
  }
}

const show = (value: unknown): string => JSON.stringify(value);
/** "DENY by infra-delete-prod-forbidden": an outcome and the policies that decided it. */
const decided = (outcome: string, policies: readonly string[]) => `${outcome}${policies.length > 0 ? ` by ${policies.join(', ')}` : ''}`;

function formatResult(result: PolicyTestResult): string[] {
  if (result.passed) return [`ok    ${result.name}`];
  const lines = [`FAIL  ${result.name}`];
  for (const { field, expected, actual } of result.differences) {
    lines.push(`        ${field}:`, `          expected ${show(expected)}`, `          got      ${show(actual)}`);
  }
  const { outcome, determiningPolicies, reasons } = result.decision;
  lines.push(`        the policy set decided ${decided(outcome, determiningPolicies)}`);
  for (const reason of reasons) lines.push(`          because ${reason}`);
  return lines;
}

export const policyCommand: Command = {
  name: 'policy',
  synopsis: 'policy validate | policy test <cases.json> | policy explain <actionId> --as <human> | policy history --as <human>  [--policies <dir>]',
  summary: 'validate a policy set, run policy tests, re-check why an action was decided, or list policy activations',
  description:
    'validate: checks the schema, every policy (strict validation), the approval annotations and that the directory can fill every approver group. ' +
    'test: evaluates each case of a JSON file ({ "cases": [{ "name", "request", "expect": { "outcome", "determiningPolicies"?, "requirement"? } }] }) ' +
    'and prints a diff for each case that does not hold. ' +
    'explain: reads the action\'s recorded request and evaluation from the audit service and evaluates the request again with the recorded ' +
    'policy version, taken from the ledger\'s policy history (or from --policies when that is the same version); it shows whether the outcome, ' +
    'deciding policies and requirement are the same. history: every activation of a policy set, from the ledger. ' +
    'All exit with 1 when anything is wrong or different, so they can gate a rollout in CI.',
  options,
  async run(args, ctx) {
    const { values, positionals } = parseCommandArgs('policy', args, options);
    const [sub, ...rest] = positionals;
    if (sub !== 'validate' && sub !== 'test' && sub !== 'explain' && sub !== 'history') {
      throw new UsageError(
        `policy: say "policy validate", "policy test <cases.json>", "policy explain <actionId>" or "policy history"${sub ? `, not "${sub}"` : ''}`,
      );
    }
    const [argument] =
      sub === 'test'
        ? expectPositionals('policy test', rest, ['cases.json'])
        : sub === 'explain'
          ? expectPositionals('policy explain', rest, ['actionId'])
          : (expectPositionals(`policy ${sub}`, rest, []), []);
    if (sub === 'history') return history(ctx, values);
    if (sub === 'explain') return explainAction(ctx, values, argument!);
    const loaded = load(ctx, values.policies);
    if (!loaded.ok) {
      ctx.io.err(loaded.error.message);
      return ExitCode.failure;
    }
    const { set, directory, policyDir, problems } = loaded;
    if (problems.length > 0) {
      ctx.io.err(`policy set ${policyDir} cannot be served with directory ${ctx.directoryPath}:\n${problems.map((p) => `  ${p}`).join('\n')}`);
      return ExitCode.failure;
    }
    if (sub === 'validate') {
      if (ctx.json) printJson(ctx.io, { valid: true, policySet: policyDir, version: set.version, policies: set.policies.size });
      else ctx.io.out(`policy set ${policyDir} is valid: ${set.policies.size} policies, version ${set.version}`);
      return ExitCode.ok;
    }

    // A bad cases file is reported as it is (PolicyTestFileError names every bad field): exit 1.
    const cases = loadPolicyTestCases(resolve(argument!));
    const results = runPolicyTests(new CedarPolicyEngine(set, { directory }), cases);
    const failed = results.filter((result) => !result.passed);
    if (ctx.json) {
      for (const result of results) printJson(ctx.io, result);
    } else {
      for (const result of results) ctx.io.out(formatResult(result).join('\n'));
      ctx.io.out(`policy tests on ${set.version}: ${results.length} ${results.length === 1 ? 'case' : 'cases'}, ${failed.length === 0 ? 'all passed' : `${failed.length} FAILED`}`);
    }
    return failed.length === 0 ? ExitCode.ok : ExitCode.failure;
  },
};

/**
 * Evaluates an action's recorded request again, with the recorded policy version, and compares the
 * result with the recorded evaluation (SPEC I9: "why was this allowed" answered from the ledger).
 */
type Values = { policies?: string | undefined; agent?: string | undefined; as?: string | undefined };

/** Every policy set activation the ledger records, oldest first. */
async function history(ctx: CliContext, values: Values): Promise<number> {
  const api = ctx.connect(ctx.apiKeyFor(callerOf('policy history', values)));
  const { activations } = await api.getPolicyHistory({ version: '', includeFiles: false });
  if (ctx.json) {
    for (const activation of activations) printJson(ctx.io, activation);
    return ExitCode.ok;
  }
  if (activations.length === 0) {
    ctx.io.out('the ledger records no policy set activation yet');
    return ExitCode.ok;
  }
  ctx.io.out(
    formatTable(activations, [
      { header: 'POS', value: (a) => a.position, align: 'right' },
      { header: 'ACTIVATED AT', value: (a) => a.activatedAt },
      { header: 'TRIGGER', value: (a) => a.trigger },
      { header: 'FROM', value: (a) => a.fromVersion || '-' },
      { header: 'TO', value: (a) => a.toVersion },
      { header: 'BY', value: (a) => a.activatedBy },
      { header: 'SOURCE', value: (a) => a.source, maxWidth: 40 },
    ]),
  );
  return ExitCode.ok;
}

/**
 * The engine of a recorded version: its files from the ledger's policy history, or the local
 * --policies directory when that holds the same version (actions decided before the history).
 */
async function engineOf(ctx: CliContext, api: ReturnType<CliContext['connect']>, version: string, values: Values): Promise<{ engine: CedarPolicyEngine; label: string } | string> {
  const directory = loadDirectory(ctx.directoryPath);
  const [activation] = (await api.getPolicyHistory({ version, includeFiles: true })).activations;
  const [schema, ...files] = activation?.files ?? [];
  if (schema) {
    const set = parseCedarPolicySet(schema, files, `the ledger's copy of ${version}`);
    if (set.version === version) return { engine: new CedarPolicyEngine(set, { directory }), label: `the ledger's copy of ${version}` };
  }
  const local = load(ctx, values.policies);
  if (!local.ok) return local.error.message;
  const { set, policyDir } = local;
  if (set.version !== version) {
    return (
      `the ledger holds no copy of policy set ${version}, and ${policyDir} is ${set.version}: ` +
      'give --policies the directory of that version (policy history says when each version was active)'
    );
  }
  return { engine: new CedarPolicyEngine(set, { directory }), label: policyDir };
}

async function explainAction(ctx: CliContext, values: Values, actionId: string): Promise<number> {
  const api = ctx.connect(ctx.apiKeyFor(callerOf('policy explain', values)));
  return explain(ctx, await api.getTimeline({ actionId }), (version) => engineOf(ctx, api, version, values));
}

async function explain(
  ctx: CliContext,
  timeline: Timeline__Output,
  engineFor: (version: string) => Promise<{ engine: CedarPolicyEngine; label: string } | string>,
): Promise<number> {
  const entry = (type: string) => timeline.entries.find((e) => e.type === type);
  const requested = entry('ActionRequested');
  const evaluated = entry('PolicyEvaluated');
  if (!requested) throw new Error(`action ${timeline.actionId} has no ActionRequested event in its timeline`);
  if (!evaluated) {
    ctx.io.err(`action ${timeline.actionId} has not been evaluated yet (status ${timeline.status}): nothing to explain`);
    return ExitCode.failure;
  }
  const { request } = parseMessage(ledgerEventSchemas.ActionRequested, JSON.parse(requested.dataJson), 'ActionRequested data');
  // Evaluations recorded before the request hash was kept have none (the catalogue allows that).
  const recorded = parseMessage(ledgerEventSchemas.PolicyEvaluated, JSON.parse(evaluated.dataJson), 'PolicyEvaluated data');
  const found = await engineFor(recorded.policyVersion);
  if (typeof found === 'string') {
    ctx.io.err(`action ${timeline.actionId} was evaluated by policy set ${recorded.policyVersion}; ${found}`);
    return ExitCode.failure;
  }
  const { engine, label: policyDir } = found;
  const { idempotencyKey: _key, ...rest } = request;
  const [result] = runPolicyTests(engine, [
    {
      name: timeline.actionId,
      request: { ...rest, parameters: rest.parameters as Record<string, unknown> },
      expect: {
        outcome: recorded.outcome,
        determiningPolicies: recorded.determiningPolicies,
        ...(recorded.requirement ? { requirement: recorded.requirement } : {}),
      },
    },
  ]);
  const same = result!.passed;
  if (ctx.json) {
    printJson(ctx.io, { actionId: timeline.actionId, policyVersion: recorded.policyVersion, recorded, reevaluated: result!.decision, same, differences: result!.differences });
    return same ? ExitCode.ok : ExitCode.failure;
  }
  ctx.io.out(
    [
      `action ${timeline.actionId}: ${request.agentId} asked for ${request.action} on ${request.resource.kind} "${request.resource.id}" in ${request.environment}`,
      `recorded at revision ${evaluated.revision}: ${decided(recorded.outcome, recorded.determiningPolicies)} (policy set ${recorded.policyVersion})`,
      ...recorded.reasons.map((reason) => `  because ${reason}`),
      ...(recorded.requirement ? [`  requirement: ${recorded.requirement.steps.map((s) => `${s.minApprovals} of ${s.group}`).join(', then ')}, ${recorded.requirement.ttlSeconds} s to decide`] : []),
      `evaluated again with ${policyDir}: ${decided(result!.decision.outcome, result!.decision.determiningPolicies)}`,
      same ? 'the same outcome, policies and requirement' : 'DIFFERENT from the record:',
      ...result!.differences.flatMap(({ field, expected, actual }) => [`  ${field}:`, `    recorded ${show(expected)}`, `    now      ${show(actual)}`]),
    ].join('\n'),
  );
  return same ? ExitCode.ok : ExitCode.failure;
}

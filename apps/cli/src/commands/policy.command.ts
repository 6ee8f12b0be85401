import { dirname, resolve } from 'node:path';
import type { PolicyTestResult } from '@approvals/platform';
import {
  CedarPolicyEngine,
  PolicySetLoadError,
  approverGroupProblems,
  loadCedarPolicySet,
  loadDirectory,
  loadPolicyTestCases,
  runPolicyTests,
} from '@approvals/platform';
import { expectPositionals, parseCommandArgs } from '../args';
import { ExitCode, UsageError } from '../errors';
import { printJson, type CliContext, type Command } from './command';

const options = {
  policies: { type: 'string', value: '<dir>', description: 'the policy set: one *.cedarschema and the *.cedar files (default: the directory file\'s folder)' },
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
    return { set, directory, policyDir, problems: approverGroupProblems(set, directory) };
  } catch (error) {
    if (error instanceof PolicySetLoadError) return { policyDir, loadError: error };
    throw error;
  }
}

const show = (value: unknown): string => JSON.stringify(value);

function formatResult(result: PolicyTestResult): string[] {
  if (result.passed) return [`ok    ${result.name}`];
  const lines = [`FAIL  ${result.name}`];
  for (const { field, expected, actual } of result.differences) {
    lines.push(`        ${field}:`, `          expected ${show(expected)}`, `          got      ${show(actual)}`);
  }
  const { outcome, determiningPolicies, reasons } = result.decision;
  lines.push(`        the policy set decided ${outcome}${determiningPolicies.length > 0 ? ` by ${determiningPolicies.join(', ')}` : ''}`);
  for (const reason of reasons) lines.push(`          because ${reason}`);
  return lines;
}

export const policyCommand: Command = {
  name: 'policy',
  synopsis: 'policy validate [--policies <dir>] | policy test <cases.json> [--policies <dir>]',
  summary: 'validate a policy set, or run policy tests against it (no server needed)',
  description:
    'validate: checks the schema, every policy (strict validation), the approval annotations and that the directory can fill every approver group. ' +
    'test: evaluates each case of a JSON file ({ "cases": [{ "name", "request", "expect": { "outcome", "determiningPolicies"?, "requirement"? } }] }) ' +
    'and prints a diff for each case that does not hold. Both exit with 1 when anything is wrong, so they can gate a rollout in CI.',
  options,
  async run(args, ctx) {
    const { values, positionals } = parseCommandArgs('policy', args, options);
    const [sub, ...rest] = positionals;
    if (sub !== 'validate' && sub !== 'test') throw new UsageError(`policy: say "policy validate" or "policy test <cases.json>"${sub ? `, not "${sub}"` : ''}`);
    const [casesFile] = sub === 'test' ? expectPositionals('policy test', rest, ['cases.json']) : (expectPositionals('policy validate', rest, []), []);
    const loaded = load(ctx, values.policies);
    if ('loadError' in loaded && loaded.loadError) {
      ctx.io.err(loaded.loadError.message);
      return ExitCode.failure;
    }
    const { set, directory, policyDir, problems } = loaded as Required<Omit<typeof loaded, 'loadError'>>;
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
    const cases = loadPolicyTestCases(resolve(casesFile!));
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

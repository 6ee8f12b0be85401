import type { ApprovalsApi } from '../api';
import { expectPositionals, parseCommandArgs, parseSeconds } from '../args';
import { ExitCode } from '../errors';
import { formatActionView, outcomeExitCode } from '../format';
import { callerOf, callerOptions, printJson, type CliContext, type Command } from './command';

export const DEFAULT_WAIT_SECONDS = 60;
/** Extra time the call gets beyond the server-side wait, so the server answers "not decided" first. */
const DEADLINE_GRACE_MS = 5_000;

/** Waits for a final outcome and prints it; the exit code tells approved (0), another outcome (3) or undecided (4). */
export async function awaitAndPrint(ctx: CliContext, api: ApprovalsApi, actionId: string, seconds: number): Promise<number> {
  if (!ctx.json) ctx.io.err(`waiting up to ${seconds} s for a decision on ${actionId} ...`);
  const timeoutMs = Math.round(seconds * 1000);
  const response = await api.awaitDecision({ actionId, timeoutMs }, timeoutMs + DEADLINE_GRACE_MS);
  const status = response.action?.status ?? 'ACTION_STATUS_UNSPECIFIED';
  if (ctx.json) printJson(ctx.io, response);
  else if (!response.decided) ctx.io.out(`no decision within ${seconds} s; action ${actionId} is still ${status}`);
  else if (response.action) ctx.io.out(formatActionView(response.action));
  return response.decided ? outcomeExitCode(status) : ExitCode.undecided;
}

const options = {
  ...callerOptions,
  timeout: { type: 'string', value: '<seconds>', description: `how long to wait (default ${DEFAULT_WAIT_SECONDS})` },
} as const;

export const awaitCommand: Command = {
  name: 'await',
  synopsis: 'await <actionId> [--timeout <seconds>] [options]',
  summary: 'wait for an action\'s final outcome',
  description: 'Calls AwaitDecision. Exit code 0 when approved, 3 when denied, expired or cancelled, 4 when still undecided at the timeout.',
  options,
  async run(args, ctx) {
    const { values, positionals } = parseCommandArgs('await', args, options);
    const [actionId] = expectPositionals('await', positionals, ['actionId']);
    const seconds = values.timeout === undefined ? DEFAULT_WAIT_SECONDS : parseSeconds('--timeout', values.timeout);
    const api = ctx.connect(ctx.apiKeyFor(callerOf('await', values)));
    return awaitAndPrint(ctx, api, actionId, seconds);
  },
};

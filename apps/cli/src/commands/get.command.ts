import { expectPositionals, parseCommandArgs } from '../args';
import { ExitCode } from '../errors';
import { formatActionView } from '../format';
import { callerOf, callerOptions, printJson, type Command } from './command';

export const getCommand: Command = {
  name: 'get',
  synopsis: 'get <actionId> [options]',
  summary: 'show an action\'s current state',
  description: 'Calls GetAction and prints the request, the policy evaluation, the votes, the outcome and the grant.',
  options: callerOptions,
  async run(args, ctx) {
    const { values, positionals } = parseCommandArgs('get', args, callerOptions);
    const [actionId] = expectPositionals('get', positionals, ['actionId']);
    const api = ctx.connect(ctx.apiKeyFor(callerOf('get', values)));
    const view = await api.getAction({ actionId });
    if (ctx.json) printJson(ctx.io, view);
    else ctx.io.out(formatActionView(view));
    return ExitCode.ok;
  },
};

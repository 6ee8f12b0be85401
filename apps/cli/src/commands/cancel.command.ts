import { expectPositionals, parseCommandArgs } from '../args';
import { ExitCode } from '../errors';
import { formatActionView } from '../format';
import { printJson, requireApiKey, type Command } from './command';

const options = {
  agent: { type: 'string', value: '<id>', description: 'the demo agent that asked (its apiKey comes from the directory file)' },
  reason: { type: 'string', value: '<text>', description: 'why the request is withdrawn' },
} as const;

export const cancelCommand: Command = {
  name: 'cancel',
  synopsis: 'cancel <actionId> --agent <id> [--reason <text>]',
  summary: 'withdraw a request that has no outcome yet (as the requesting agent)',
  description: 'Calls CancelAction and prints the action\'s state afterwards.',
  options,
  async run(args, ctx) {
    const { values, positionals } = parseCommandArgs('cancel', args, options);
    const [actionId] = expectPositionals('cancel', positionals, ['actionId']);
    const principal = values.agent === undefined ? undefined : { kind: 'agent' as const, id: values.agent };
    const api = ctx.connect(requireApiKey(ctx, principal, 'cancel: --agent <id> is required'));
    const view = await api.cancelAction({ actionId, reason: values.reason ?? '' });
    if (ctx.json) printJson(ctx.io, view);
    else ctx.io.out(formatActionView(view));
    return ExitCode.ok;
  },
};

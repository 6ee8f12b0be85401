import { expectPositionals, parseCommandArgs } from '../args';
import { ExitCode } from '../errors';
import { describeProgress, isFinal, outcomeExitCode } from '../format';
import { sanitize } from '../table';
import { callerOf, callerOptions, printJson, type Command } from './command';

export const watchCommand: Command = {
  name: 'watch',
  synopsis: 'watch <actionId> [options]',
  summary: 'print each status change of an action until its final outcome',
  description:
    'Follows WatchAction: one line per update (local time, status, revision, progress). Ends after the final outcome ' +
    'with exit code 0 when approved and 3 otherwise; with --json, prints each ActionView as a line of JSON.',
  options: callerOptions,
  async run(args, ctx) {
    const { values, positionals } = parseCommandArgs('watch', args, callerOptions);
    const [actionId] = expectPositionals('watch', positionals, ['actionId']);
    const api = ctx.connect(ctx.apiKeyFor(callerOf('watch', values)));
    let last: string | undefined;
    let code: number = ExitCode.ok;
    for await (const view of api.watchAction({ actionId })) {
      code = isFinal(view.status) ? outcomeExitCode(view.status) : ExitCode.ok;
      if (ctx.json) {
        printJson(ctx.io, view);
        continue;
      }
      const line = `${view.status.padEnd(17)}  revision ${view.revision}  ${sanitize(describeProgress(view))}`.trimEnd();
      if (line === last) continue;
      last = line;
      ctx.io.out(`${ctx.now().toISOString()}  ${line}`);
    }
    return code;
  },
};

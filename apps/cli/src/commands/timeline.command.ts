import type { TimelineEntry__Output } from '@approvals/contracts';
import { expectPositionals, parseCommandArgs } from '../args';
import { ExitCode } from '../errors';
import { formatTable, type Column } from '../table';
import { callerOf, callerOptions, printJson, type Command } from './command';

const columns: Column<TimelineEntry__Output>[] = [
  { header: 'POS', value: (e) => e.position, align: 'right' },
  { header: 'REV', value: (e) => String(e.revision), align: 'right' },
  { header: 'OCCURRED AT', value: (e) => e.occurredAt },
  { header: 'TYPE', value: (e) => e.type },
  { header: 'ACTOR', value: (e) => e.actor, maxWidth: 32 },
  { header: 'SUMMARY', value: (e) => e.summary, maxWidth: 64 },
  { header: 'TRACE ID', value: (e) => e.traceId },
];

export const timelineCommand: Command = {
  name: 'timeline',
  synopsis: 'timeline <actionId> [options]',
  summary: 'show every ledger event of an action, in order',
  description: 'Calls GetTimeline on the audit service. --json includes each event\'s data, hash and previous hash.',
  options: callerOptions,
  async run(args, ctx) {
    const { values, positionals } = parseCommandArgs('timeline', args, callerOptions);
    const [actionId] = expectPositionals('timeline', positionals, ['actionId']);
    const api = ctx.connect(ctx.apiKeyFor(callerOf('timeline', values)));
    const timeline = await api.getTimeline({ actionId });
    if (ctx.json) {
      printJson(ctx.io, timeline);
      return ExitCode.ok;
    }
    const count = timeline.entries.length;
    ctx.io.out(`action ${timeline.actionId}  status ${timeline.status}  ${count} event${count === 1 ? '' : 's'}`);
    if (count > 0) ctx.io.out(formatTable(timeline.entries, columns));
    return ExitCode.ok;
  },
};

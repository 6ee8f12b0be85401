import type { PendingApproval__Output } from '@approvals/contracts';
import { expectPositionals, parseCommandArgs, parseInteger } from '../args';
import { ExitCode } from '../errors';
import { formatResource, formatSteps } from '../format';
import { formatTable, type Column } from '../table';
import { printJson, type Command } from './command';

const options = {
  as: { type: 'string', value: '<human>', description: 'list as this approver (their apiKey from the directory file)' },
  all: { type: 'boolean', description: 'also list requests you may not vote on (default when no approver is given)' },
  limit: { type: 'string', value: '<n>', description: 'at most this many (1-500)' },
} as const;

const columns: Column<PendingApproval__Output>[] = [
  { header: 'ACTION ID', value: (p) => p.actionId, maxWidth: 40 },
  { header: 'WAITS FOR', value: (p) => (p.kind === 'BREAK_GLASS_REVIEW' ? `review (break-glass by ${p.invokedBy})` : 'votes'), maxWidth: 36 },
  { header: 'AGENT', value: (p) => p.agentId },
  { header: 'FOR', value: (p) => p.onBehalfOf },
  { header: 'ACTION', value: (p) => p.action },
  { header: 'RESOURCE', value: (p) => formatResource(p.resource), maxWidth: 32 },
  { header: 'ENV', value: (p) => p.environment },
  { header: 'NEEDS', value: (p) => formatSteps(p.steps), maxWidth: 32 },
  { header: 'APPROVED BY', value: (p) => p.approvedBy.join(', '), maxWidth: 24 },
  { header: 'DUE', value: (p) => p.expiresAt },
  { header: 'JUSTIFICATION', value: (p) => p.justification, maxWidth: 40 },
];

export const pendingCommand: Command = {
  name: 'pending',
  synopsis: 'pending [--as <human>] [--all] [--limit <n>]',
  summary: 'list approval requests waiting for votes, and break-glass approvals waiting for review',
  description:
    'Calls ListPending. With an approver (--as or --api-key), lists only what that person may vote on or review, unless --all. ' +
    'DUE is when the approval request expires, or when the break-glass review is due.',
  options,
  async run(args, ctx) {
    const { values, positionals } = parseCommandArgs('pending', args, options);
    expectPositionals('pending', positionals, []);
    const limit = values.limit === undefined ? 0 : parseInteger('--limit', values.limit, 1, 500);
    const apiKey = ctx.apiKeyFor(values.as === undefined ? undefined : { kind: 'human', id: values.as });
    const api = ctx.connect(apiKey);
    const response = await api.listPending({ onlyMine: apiKey !== undefined && !values.all, limit });
    if (ctx.json) printJson(ctx.io, response);
    else if (response.items.length === 0) ctx.io.out(values.as ? `nothing is waiting for ${values.as}` : 'nothing is waiting for approval');
    else ctx.io.out(formatTable(response.items, columns));
    return ExitCode.ok;
  },
};

import type { ActionSummary__Output, SearchActionsRequest } from '@approvals/contracts';
import { expectPositionals, parseCommandArgs, parseInteger, parseStatus } from '../args';
import { ExitCode, UsageError } from '../errors';
import { formatResource } from '../format';
import { formatTable, type Column } from '../table';
import { callerOptions, printJson, type Command } from './command';

const options = {
  as: callerOptions.as,
  agent: { type: 'string', value: '<id>', description: 'only actions requested by this agent' },
  action: { type: 'string', value: '<name>', description: 'only this action, e.g. db.export' },
  status: { type: 'string', value: '<status>', description: 'only this status, e.g. approved or AWAITING_APPROVAL' },
  env: { type: 'string', value: '<environment>', description: 'only this environment' },
  approver: { type: 'string', value: '<human>', description: 'only actions this person approved' },
  after: { type: 'string', value: '<iso-time>', description: 'requested at or after this time' },
  before: { type: 'string', value: '<iso-time>', description: 'requested before this time' },
  limit: { type: 'string', value: '<n>', description: 'page size, 1-500 (server default 50)' },
  'page-token': { type: 'string', value: '<token>', description: 'the next page, from an earlier search' },
} as const;

const columns: Column<ActionSummary__Output>[] = [
  { header: 'ACTION ID', value: (a) => a.actionId, maxWidth: 40 },
  { header: 'STATUS', value: (a) => a.status },
  { header: 'AGENT', value: (a) => a.agentId },
  { header: 'ACTION', value: (a) => a.action },
  { header: 'RESOURCE', value: (a) => formatResource(a.resource), maxWidth: 32 },
  { header: 'ENV', value: (a) => a.environment },
  { header: 'REQUESTED AT', value: (a) => a.requestedAt },
  { header: 'DECIDED AT', value: (a) => a.decidedAt },
  { header: 'APPROVED BY', value: (a) => a.approvedBy.join(', '), maxWidth: 24 },
  { header: 'POLICY', value: (a) => a.policyVersion, maxWidth: 24 },
];

function isoTime(flag: string, text: string | undefined): string {
  if (text === undefined) return '';
  if (Number.isNaN(Date.parse(text))) throw new UsageError(`${flag} must be an ISO-8601 time, e.g. 2025-01-31T09:00:00Z (got "${text}")`);
  return text;
}

export const searchCommand: Command = {
  name: 'search',
  synopsis: 'search [--agent <id>] [--action <name>] [--status <status>] [--env <environment>] [--approver <human>] [--limit <n>] [--page-token <token>]',
  summary: 'search the audit read model',
  description:
    'Calls SearchActions; all filters combine. When more results exist, the last line gives the --page-token for the next page. ' +
    'Here --agent is a filter; call as someone with --as or --api-key.',
  options,
  async run(args, ctx) {
    const { values, positionals } = parseCommandArgs('search', args, options);
    expectPositionals('search', positionals, []);
    const request: SearchActionsRequest = {
      agentId: values.agent ?? '',
      action: values.action ?? '',
      status: values.status === undefined ? 'ACTION_STATUS_UNSPECIFIED' : parseStatus(values.status),
      environment: values.env ?? '',
      approverId: values.approver ?? '',
      requestedAfter: isoTime('--after', values.after),
      requestedBefore: isoTime('--before', values.before),
      limit: values.limit === undefined ? 0 : parseInteger('--limit', values.limit, 1, 500),
      pageToken: values['page-token'] ?? '',
    };
    const api = ctx.connect(ctx.apiKeyFor(values.as === undefined ? undefined : { kind: 'human', id: values.as }));
    const response = await api.searchActions(request);
    if (ctx.json) printJson(ctx.io, response);
    else if (response.items.length === 0) ctx.io.out('no actions match');
    else ctx.io.out(formatTable(response.items, columns));
    if (!ctx.json && response.nextPageToken) ctx.io.out(`more: approvals search ... --page-token ${response.nextPageToken}`);
    return ExitCode.ok;
  },
};

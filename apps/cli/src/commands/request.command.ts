import type { RequestActionRequest } from '@approvals/contracts';
import { buildParameters, expectPositionals, parseCommandArgs, parseResource, parseSeconds, required, withOptionalValue } from '../args';
import { ExitCode } from '../errors';
import { formatKeyValues } from '../table';
import { awaitAndPrint, DEFAULT_WAIT_SECONDS } from './await.command';
import { printJson, requireApiKey, type Command } from './command';

const options = {
  agent: { type: 'string', value: '<id>', description: 'the demo agent that asks (its apiKey comes from the directory file)' },
  action: { type: 'string', value: '<name>', description: 'what the agent wants to do, e.g. db.export (required)' },
  resource: { type: 'string', value: '<kind:id>', description: 'what it touches, e.g. dataset:customers (required)' },
  env: { type: 'string', value: '<environment>', description: 'where, e.g. prod (required)' },
  param: { type: 'string', multiple: true, value: '<key=value>', description: 'one parameter; numbers, true/false, null and JSON are typed (repeatable)' },
  'params-json': { type: 'string', value: '<json>', description: 'parameters as a JSON object; --param values override its keys' },
  model: { type: 'string', value: '<model>', description: 'the model that drives the agent (default: cli-demo)' },
  'on-behalf-of': { type: 'string', value: '<human>', description: 'the person the agent acts for' },
  justification: { type: 'string', value: '<text>', description: 'why the agent needs this (default: "requested from the approvals CLI")' },
  classification: { type: 'string', value: '<label>', description: 'data classification, e.g. confidential' },
  run: { type: 'string', value: '<run-id>', description: "the agent's run (session, job) this request belongs to" },
  key: { type: 'string', value: '<idempotency-key>', description: 'idempotency key (default: a random UUID); reuse it to retry safely' },
  wait: { type: 'string', value: '[seconds]', description: `then wait for the decision (default ${DEFAULT_WAIT_SECONDS} s)` },
} as const;

export const requestCommand: Command = {
  name: 'request',
  synopsis: 'request --agent <id> --action <name> --resource <kind:id> --env <environment> [options]',
  summary: 'propose an action as a demo agent (and optionally wait for the decision)',
  description:
    'Sends RequestAction with the agent\'s demo API key. Prints the action id and its status; with --wait, ' +
    'also waits for the final outcome (exit code 0 approved, 3 denied/expired/cancelled, 4 still undecided).',
  options,
  async run(args, ctx) {
    const { values, positionals } = parseCommandArgs('request', withOptionalValue(args, 'wait', String(DEFAULT_WAIT_SECONDS)), options);
    expectPositionals('request', positionals, []);
    const request: RequestActionRequest = {
      action: required('request', 'action', values.action),
      resource: parseResource(required('request', 'resource', values.resource)),
      environment: required('request', 'env', values.env),
      parametersJson: JSON.stringify(buildParameters(values.param ?? [], values['params-json'])),
      model: values.model ?? 'cli-demo',
      onBehalfOf: values['on-behalf-of'] ?? '',
      justification: values.justification ?? 'requested from the approvals CLI',
      dataClassification: values.classification ?? '',
      idempotencyKey: values.key ?? ctx.newIdempotencyKey(),
      ...(values.run !== undefined ? { runId: values.run } : {}),
    };
    const waitSeconds = values.wait === undefined ? undefined : parseSeconds('--wait', values.wait);
    const principal = values.agent === undefined ? undefined : { kind: 'agent' as const, id: values.agent };
    const api = ctx.connect(requireApiKey(ctx, principal, 'request: --agent <id> is required'));

    const response = await api.requestAction(request);
    if (ctx.json) printJson(ctx.io, response);
    else {
      ctx.io.out(
        formatKeyValues([
          ['action id', response.actionId],
          ['status', response.status],
          ['created', response.created ? 'yes' : 'no, an earlier request with this idempotency key'],
          ['idempotency key', request.idempotencyKey ?? ''],
        ]),
      );
    }
    if (waitSeconds === undefined) return ExitCode.ok;
    if (!ctx.json) ctx.io.out('');
    return awaitAndPrint(ctx, api, response.actionId, waitSeconds);
  },
};

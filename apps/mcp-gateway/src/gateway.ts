import { Server } from '@modelcontextprotocol/sdk/server/index.js';
import type { CallToolResult, ServerNotification, ServerRequest, Tool } from '@modelcontextprotocol/sdk/types.js';
import { CallToolRequestSchema, ErrorCode, ListToolsRequestSchema, McpError } from '@modelcontextprotocol/sdk/types.js';
import type { RequestHandlerExtra } from '@modelcontextprotocol/sdk/shared/protocol.js';
import type { ActionView, Approvals, GuardOutcome } from '@approvals/sdk';
import { ApprovalsError, describeProgress } from '@approvals/sdk';
import type { JSONWebKeySet } from 'jose';
import type { Logger } from 'pino';
import { CallKeys } from './call-keys';
import type { GatewayConfig } from './config';
import { MappingError, exposedToolName, splitToolName, toActionRequest } from './tool-mapping';
import { textOf } from './tool-results';
import type { Upstream } from './upstream';

export const GATEWAY_VERSION = '0.1.0';

/** How often a waiting call repeats its progress notification (time left changes; clients reset timeouts). */
const PROGRESS_EVERY_MS = 5_000;

/** What one MCP session calls with: the agent's client of the approvals service, and whom it acts for. */
export interface SessionIdentity {
  approvals: Approvals;
  /** The agent, for logs (the service identifies it by the credentials). */
  agent: string;
  onBehalfOf?: string | undefined;
  /** Tool calls of this session still running (a session is not closed under them). */
  active: number;
}

/** What every session of one gateway process shares. */
export interface GatewayContext {
  config: GatewayConfig;
  upstreams: Map<string, Upstream>;
  keys: CallKeys;
  log: Logger;
  /** The service's grant keys, when grants are checked offline too. */
  jwks?: () => Promise<JSONWebKeySet | undefined>;
  /** The open sessions' servers, told when an upstream's tools change. */
  servers: Set<Server>;
  /** Executions being recorded after their results went to the client; awaited before the gateway exits. */
  reports: Set<Promise<boolean>>;
}

type Extra = RequestHandlerExtra<ServerRequest, ServerNotification>;

/** An upstream tool error: the execution is reported FAILED, and the client gets the upstream's own result. */
class UpstreamToolError extends Error {
  constructor(readonly result: CallToolResult) {
    super(textOf(result) || 'the upstream tool reported an error');
  }
}

/**
 * The MCP server one client talks to: the upstream servers' tools, namespaced `<server>__<tool>`,
 * where every call is first a request to the approvals ledger. Allowed: forwarded. Denied: a tool
 * error with the policy's reasons, and the upstream is never called. Needing approval: the call
 * waits (with progress notifications), then forwards exactly the approved arguments.
 */
export function createGatewayServer(context: GatewayContext, identity: SessionIdentity): Server {
  const server = new Server(
    { name: 'approvals-mcp-gateway', title: 'Approvals MCP gateway', version: GATEWAY_VERSION },
    {
      capabilities: { tools: { listChanged: true } },
      instructions:
        'Every tool call is checked by the approvals ledger first. Some calls need a person to approve them: such a call waits and reports progress; a denied call returns the reasons.',
    },
  );

  context.servers.add(server);
  server.onclose = () => context.servers.delete(server);
  server.setRequestHandler(ListToolsRequestSchema, async () => ({ tools: await listTools(context) }));
  server.setRequestHandler(CallToolRequestSchema, async (request, extra) => {
    const args = request.params.arguments ?? {};
    identity.active += 1;
    try {
      return await callTool(context, identity, server, request.params.name, args, extra);
    } finally {
      identity.active -= 1;
    }
  });
  return server;
}

async function listTools(context: GatewayContext): Promise<Tool[]> {
  const lists = await Promise.all(
    [...context.upstreams.values()].map(async (upstream) => {
      try {
        return (await upstream.tools()).map((tool) => ({
          ...tool,
          name: exposedToolName(upstream.name, tool.name),
          description: `${tool.description ?? ''}${tool.description ? '\n\n' : ''}(Through the approvals gateway: "${tool.name}" on "${upstream.name}"; the call may need a person's approval.)`,
        }));
      } catch (error) {
        // One server down must not hide the others' tools.
        context.log.warn({ upstream: upstream.name, err: error }, `upstream "${upstream.name}" is unavailable; its tools are not listed`);
        return [];
      }
    }),
  );
  return lists.flat();
}

async function callTool(context: GatewayContext, identity: SessionIdentity, server: Server, name: string, args: Record<string, unknown>, extra: Extra): Promise<CallToolResult> {
  const target = splitToolName(name);
  const upstream = target && context.upstreams.get(target.server);
  if (!target || !upstream) throw new McpError(ErrorCode.InvalidParams, `unknown tool "${name}": tools are named <server>__<tool>`);
  let known: Tool | undefined;
  try {
    known = (await upstream.tools()).find((tool) => tool.name === target.tool);
  } catch (error) {
    return toolError(`"${target.server}" is unavailable, so "${target.tool}" was not called: ${(error as Error).message}`);
  }
  if (!known) throw new McpError(ErrorCode.InvalidParams, `unknown tool "${name}": "${target.server}" has no tool "${target.tool}"`);

  let request;
  try {
    request = toActionRequest(context.config, target.server, target.tool, args, { client: server.getClientVersion(), onBehalfOf: identity.onBehalfOf });
  } catch (error) {
    if (error instanceof MappingError) return toolError(`the call cannot be mapped to an approval request: ${error.message}`);
    throw error;
  }

  const progress = progressReporter(extra);
  const log = context.log.child({ agent: identity.agent, tool: name, session: extra.sessionId });
  let jwks: JSONWebKeySet | undefined;
  let claim;
  try {
    // The keys first: failing to fetch them must not leave an action behind for approvers.
    jwks = await context.jwks?.();
    claim = await context.keys.claim(identity.approvals, `${target.server}/${target.tool}`, request, extra.signal);
  } catch (error) {
    if (!(error instanceof ApprovalsError)) return toolError(`the approvals service's grant keys cannot be read, so the tool was not called: ${(error as Error).message}`);
    return ledgerFailure(log, error, extra);
  }
  const { requested, asked, release } = claim;
  log.info({ actionId: requested.actionId, action: asked.action, created: requested.created }, requested.created ? 'asked the ledger' : 'following an earlier request of the same call');
  let ran = false;
  try {
    const outcome = await identity.approvals.followAction(
      requested.actionId,
      asked,
      async (approved) => {
        progress.stop();
        ran = true;
        const result = await upstream.call(target.tool, approved.parameters, { signal: extra.signal, onprogress: progress.relay });
        if (result.isError) throw new UpstreamToolError(result);
        return result;
      },
      {
        signal: extra.signal,
        onUpdate: progress.update,
        ...(jwks ? { jwks } : {}),
        ...(context.config.maxWaitSeconds ? { timeoutMs: context.config.maxWaitSeconds * 1000 } : {}),
        describe: (result) => textOf(result as CallToolResult).slice(0, 500),
        // The client has its result one round trip sooner; the execution is recorded meanwhile.
        reportInBackground: true,
      },
    );
    if (outcome.outcome === 'executed' && outcome.reporting) {
      const reporting = outcome.reporting.then((reported) => {
        if (!reported) log.warn({ actionId: requested.actionId }, 'the execution could not be recorded in the ledger');
        return reported;
      });
      context.reports.add(reporting);
      void reporting.finally(() => context.reports.delete(reporting));
    }
    log.info({ actionId: requested.actionId, outcome: outcome.outcome }, `tool call ${outcome.outcome}`);
    return resultOf(outcome, target.tool);
  } catch (error) {
    if (error instanceof UpstreamToolError) return error.result;
    if (error instanceof ApprovalsError) return ledgerFailure(log, error, extra);
    if (!ran) {
      log.warn({ actionId: requested.actionId, err: error }, 'the call ended before anything ran');
      return toolError(`"${target.tool}" was not called: ${(error as Error).message} (action ${requested.actionId})`);
    }
    // The grant was redeemed but the upstream failed (it crashed, or the call was cancelled): reported FAILED.
    log.warn({ actionId: requested.actionId, err: error }, 'the upstream call failed after approval');
    return toolError(`"${target.tool}" was approved, but "${target.server}" failed while running it: ${(error as Error).message}`);
  } finally {
    progress.stop();
    release();
  }
}

/** The client's answer for each way the ledger ended the call. */
function resultOf(outcome: GuardOutcome<CallToolResult>, tool: string): CallToolResult {
  switch (outcome.outcome) {
    case 'executed':
      return { ...outcome.value, _meta: { ...outcome.value._meta, ...actionMeta(outcome.action) } };
    case 'denied':
      return toolError(
        `"${tool}" was denied by ${outcome.deniedBy === 'policy' ? 'policy' : 'an approver'} and was not called (action ${outcome.action.actionId}):\n- ${outcome.reasons.join('\n- ')}`,
        outcome.action,
      );
    case 'expired':
      return toolError(`"${tool}" was not called: nobody approved it in time (action ${outcome.action.actionId} expired). Ask again if it is still needed.`, outcome.action);
    case 'cancelled':
      return toolError(`"${tool}" was not called: the request was cancelled${outcome.by === 'caller' ? ' (the call was cancelled or waited too long)' : ''} (action ${outcome.action.actionId}).`, outcome.action);
    case 'grant-refused':
      return toolError(`"${tool}" was approved but not called: its execution grant was refused (${outcome.reason}: ${outcome.detail}).`, outcome.action);
  }
}

function ledgerFailure(log: Logger, error: unknown, extra: Extra): CallToolResult {
  if (extra.signal.aborted) return toolError('the call was cancelled before the ledger answered; the tool was not called.');
  if (error instanceof ApprovalsError) {
    log.warn({ code: error.code, details: error.details }, 'the ledger refused or could not answer');
    const why = error.retryable ? 'the approvals service cannot be reached' : 'the approvals service refused the request';
    const fields = error.violations.map((v) => `\n- ${v.field}: ${v.description}`).join('');
    return toolError(`${why}, so the tool was not called (${error.code}: ${error.details})${fields}`);
  }
  throw error;
}

function toolError(text: string, action?: ActionView): CallToolResult {
  return {
    isError: true,
    content: [{ type: 'text', text }],
    ...(action ? { _meta: actionMeta(action) } : {}),
  };
}

/** Which ledger action a result belongs to, for clients and their logs. */
function actionMeta(action: ActionView): Record<string, string> {
  return { 'approvals/actionId': action.actionId, 'approvals/status': action.status };
}


/** Progress notifications to the client (when it asked for them with a progress token) while the call waits. */
function progressReporter(extra: Extra): {
  update: (view: ActionView) => void;
  /** The upstream's own progress while the approved call runs, passed on to the client. */
  relay: (progress: { progress: number; total?: number; message?: string }) => void;
  stop: () => void;
} {
  const token = extra._meta?.progressToken;
  let count = 0;
  let last: ActionView | undefined;
  let timer: NodeJS.Timeout | undefined;
  const send = () => {
    if (token === undefined || !last || extra.signal.aborted) return;
    count += 1;
    extra
      .sendNotification({ method: 'notifications/progress', params: { progressToken: token, progress: count, message: `${describeProgress(last)} (action ${last.actionId})` } })
      .catch(() => undefined); // a client gone away is noticed by the call itself
  };
  return {
    update: (view) => {
      last = view;
      send();
      if (view.status === 'AWAITING_APPROVAL' && !timer && token !== undefined) {
        timer = setInterval(send, PROGRESS_EVERY_MS);
        timer.unref();
      }
      if (view.status !== 'AWAITING_APPROVAL' && timer) {
        clearInterval(timer);
        timer = undefined;
      }
    },
    relay: (upstream) => {
      if (token === undefined || extra.signal.aborted) return;
      count += 1;
      const message = upstream.message ?? `running: ${upstream.progress}${upstream.total === undefined ? '' : ` of ${upstream.total}`}`;
      extra.sendNotification({ method: 'notifications/progress', params: { progressToken: token, progress: count, message } }).catch(() => undefined);
    },
    stop: () => {
      clearInterval(timer);
      timer = undefined;
    },
  };
}

import type { ActionRequest } from '@approvals/sdk';
import type { GatewayConfig, ToolMapping } from './config';

/** Exposed tool names are `<server>__<tool>`; server names have no underscores, so this splits them. */
export const TOOL_SEPARATOR = '__';

export const exposedToolName = (server: string, tool: string): string => `${server}${TOOL_SEPARATOR}${tool}`;

export function splitToolName(name: string): { server: string; tool: string } | undefined {
  const at = name.indexOf(TOOL_SEPARATOR);
  if (at <= 0 || at + TOOL_SEPARATOR.length >= name.length) return undefined;
  return { server: name.slice(0, at), tool: name.slice(at + TOOL_SEPARATOR.length) };
}

/** A tool name as one segment of an action name: lower case, `get-sum`, `read_file`, `long_running_operation`. */
export function actionSegment(tool: string): string {
  const segment = tool
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .toLowerCase()
    .replace(/[^a-z0-9_-]/g, '_');
  return /^[a-z]/.test(segment) ? segment : `t${segment}`;
}

/** Who is calling through the gateway, as the request records it. */
export interface CallProvenance {
  /** The MCP client's name and version (its `initialize` clientInfo). */
  client?: { name: string; version: string } | undefined;
  /** The human the agent acts for (HTTP: from the configured claim). */
  onBehalfOf?: string | undefined;
}

export class MappingError extends Error {
  override readonly name = 'MappingError';
}

/**
 * The ledger request for one `tools/call`: the action and resource from the tool's mapping
 * (default `mcp.<server>.<tool>` on `mcp-tool` `<server>/<tool>`), the arguments as the
 * parameters, exactly. The MCP session is deliberately not part of it: a call repeated after a
 * gateway restart must be the same request, so that it finds the action still waiting.
 */
export function toActionRequest(config: GatewayConfig, server: string, tool: string, args: Record<string, unknown>, provenance: CallProvenance): ActionRequest {
  const mapping: ToolMapping = { ...config.tools[`${server}.*`], ...config.tools[`${server}.${tool}`] };
  const fill = (text: string, field: string) =>
    text.replace(/\{([^{}]+)\}/g, (_match, name: string) => {
      const value = Object.hasOwn(args, name) ? args[name] : undefined;
      if (typeof value === 'string' && value !== '') return value;
      if (typeof value === 'number' && Number.isFinite(value)) return String(value);
      throw new MappingError(`${field} needs the argument "${name}" (a string or number), which this call does not give`);
    });
  const client = provenance.client ? `${provenance.client.name} ${provenance.client.version}`.trim() : 'an MCP client';
  return {
    model: config.request.model ?? (provenance.client?.name.trim() || 'mcp-client'),
    action: mapping.action ? fill(mapping.action, 'action') : `mcp.${server}.${actionSegment(tool)}`,
    resource: mapping.resource ? { kind: fill(mapping.resource.kind, 'resource.kind'), id: fill(mapping.resource.id, 'resource.id') } : { kind: 'mcp-tool', id: `${server}/${tool}` },
    environment: mapping.environment ? fill(mapping.environment, 'environment') : config.request.environment,
    dataClassification: mapping.dataClassification ? fill(mapping.dataClassification, 'dataClassification') : config.request.dataClassification,
    onBehalfOf: provenance.onBehalfOf ?? config.request.onBehalfOf,
    parameters: args,
    justification: mapping.justification ? fill(mapping.justification, 'justification') : `MCP tools/call "${tool}" on "${server}" from ${client}`,
  };
}

import type { FunctionTool, RunContext } from '@openai/agents';
import { tool } from '@openai/agents';
import type { Approvals } from '../approvals';
import type { ToolApproval } from './tool-approval';
import { guardedCall } from './tool-approval';

type ToolOptions = Parameters<typeof tool>[0];
type ToolCallDetails = { signal?: AbortSignal | undefined };
type Execute = (input: never, context?: RunContext<never>, details?: ToolCallDetails) => unknown;

/**
 * An OpenAI Agents SDK function tool whose approval the ledger decides: every call is requested
 * first; allowed, it runs (with exactly the approved input); denied, expired or cancelled, the
 * model gets a sentence saying so and the tool does not run. Waiting for approvers happens inside
 * the call, so the agent needs no `needsApproval` interruption of its own.
 *
 * ```ts
 * const exportRows = approvalsTool(approvals, {
 *   name: 'export_rows', description: 'Export rows of a dataset', parameters: z.object({ dataset: z.string(), rows: z.number() }),
 *   execute: async ({ dataset, rows }) => exporter.run(dataset, rows),
 *   approval: { action: 'db.export', resource: ({ dataset }) => ({ kind: 'dataset', id: dataset }), environment: 'prod' },
 * });
 * ```
 */
export function approvalsTool<Options extends ToolOptions>(approvals: Approvals, options: Options & { approval: ToolApproval<Parameters<Options['execute']>[0] & object> }): FunctionTool<never> {
  const { approval, ...toolOptions } = options;
  const execute = toolOptions.execute as unknown as Execute;
  return tool({
    ...toolOptions,
    needsApproval: false,
    execute: async (input: unknown, context?: RunContext<never>, details?: ToolCallDetails) => {
      const result = await guardedCall(approvals, approval as ToolApproval<object>, toolOptions.name ?? 'tool', input as object, (approvedInput) => execute(approvedInput as never, context, details), details?.signal);
      return result.ran ? result.value : result.message;
    },
  } as ToolOptions) as unknown as FunctionTool<never>;
}

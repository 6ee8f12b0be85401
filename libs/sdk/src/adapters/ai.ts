import type { Tool, ToolExecutionOptions } from 'ai';
import type { Approvals } from '../approvals';
import type { ToolApproval } from './tool-approval';
import { guardedCall } from './tool-approval';

/**
 * A Vercel AI SDK tool whose every call is first a ledger request: allowed, its `execute` runs
 * with exactly the approved input; otherwise the model gets a sentence saying why it did not run.
 * Only types are taken from `ai`, so this works with whichever version the application uses.
 *
 * ```ts
 * const tools = { exportRows: guardedTool(approvals, 'exportRows', tool({ inputSchema, execute }), { action: 'db.export', resource, environment: 'prod' }) };
 * await generateText({ model, tools, prompt });
 * ```
 */
export function guardedTool<Input extends object, Output>(
  approvals: Approvals,
  name: string,
  original: Tool<Input, Output>,
  approval: ToolApproval<Input>,
): Tool<Input, Output | string> {
  const execute = original.execute;
  if (!execute) throw new TypeError(`the tool ${name} has no execute function: there is nothing to guard`);
  return {
    ...original,
    execute: async (input: Input, options: ToolExecutionOptions<unknown>) => {
      const result = await guardedCall(approvals, approval, name, input, (approvedInput) => execute(approvedInput, options) as Promise<Output> | Output, options.abortSignal);
      return result.ran ? result.value : result.message;
    },
  } as Tool<Input, Output | string>;
}

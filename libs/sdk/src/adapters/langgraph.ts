import type { RunnableConfig } from '@langchain/core/runnables';
import type { StructuredToolInterface } from '@langchain/core/tools';
import { DynamicStructuredTool } from '@langchain/core/tools';
import { ToolNode } from '@langchain/langgraph/prebuilt';
import type { Approvals } from '../approvals';
import type { ToolApproval } from './tool-approval';
import { guardedCall } from './tool-approval';

/**
 * A LangChain tool (what LangGraph's ToolNode runs) whose every call is first a ledger request:
 * allowed, the original tool is invoked with exactly the approved arguments; otherwise the tool
 * message says why it did not run.
 */
export function guardedTool(approvals: Approvals, original: StructuredToolInterface, approval: ToolApproval): DynamicStructuredTool {
  return new DynamicStructuredTool({
    name: original.name,
    description: original.description,
    schema: original.schema as never,
    func: async (input: Record<string, unknown>, _runManager?: unknown, config?: RunnableConfig) => {
      const result = await guardedCall(approvals, approval, original.name, input, (approvedInput) => original.invoke(approvedInput, config), config?.signal);
      return result.ran ? result.value : result.message;
    },
  });
}

/**
 * LangGraph's prebuilt ToolNode over guarded tools: `[tool, approval]` pairs, one approval mapping
 * each. Use it where the graph would use `new ToolNode(tools)`.
 */
export function guardedToolNode(approvals: Approvals, tools: readonly (readonly [StructuredToolInterface, ToolApproval])[], options?: ConstructorParameters<typeof ToolNode>[1]): ToolNode {
  return new ToolNode(
    tools.map(([tool, approval]) => guardedTool(approvals, tool, approval)),
    options,
  );
}

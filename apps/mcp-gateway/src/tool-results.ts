import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';

/** The text parts of a tool result, one per line. */
export function textOf(result: CallToolResult): string {
  return result.content
    .filter((part): part is { type: 'text'; text: string } => part.type === 'text')
    .map((part) => part.text)
    .join('\n');
}

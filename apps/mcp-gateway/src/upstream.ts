import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport, getDefaultEnvironment } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import type { CallToolResult, Tool } from '@modelcontextprotocol/sdk/types.js';
import { CallToolResultSchema, ToolListChangedNotificationSchema } from '@modelcontextprotocol/sdk/types.js';
import type { Logger } from 'pino';
import type { UpstreamConfig } from './config';

/** Bound on connecting to (or spawning) an upstream server. */
const CONNECT_TIMEOUT_MS = 20_000;
/** Pause before connecting again after a failure, so a crash-looping server is not hammered. */
const RECONNECT_PAUSE_MS = 1_000;

export class UpstreamUnavailableError extends Error {
  override readonly name = 'UpstreamUnavailableError';
}

/**
 * One upstream MCP server (a stdio command or a Streamable HTTP URL), connected on first use.
 * When it exits or its connection drops, the next use connects again (spawning a new process);
 * its tool list is refreshed then and whenever it says the list changed.
 */
export class Upstream {
  private client: Client | undefined;
  private connecting: Promise<Client> | undefined;
  private toolList: Tool[] | undefined;
  private lastFailure = 0;

  constructor(
    readonly name: string,
    private readonly config: UpstreamConfig,
    private readonly log: Logger,
    private readonly onToolsChanged: () => void = () => undefined,
  ) {}

  /** The upstream's tools (cached until it changes or reconnects). */
  async tools(): Promise<Tool[]> {
    const client = await this.connected();
    if (!this.toolList) {
      const tools: Tool[] = [];
      let cursor: string | undefined;
      do {
        const page = await client.listTools(cursor ? { cursor } : {}, { timeout: CONNECT_TIMEOUT_MS });
        tools.push(...page.tools);
        cursor = page.nextCursor;
      } while (cursor);
      this.toolList = tools;
    }
    return this.toolList;
  }

  /** Calls a tool with exactly these arguments; `signal` cancels it upstream too. */
  async call(tool: string, args: Record<string, unknown>, options: { signal?: AbortSignal; onprogress?: (progress: { progress: number; total?: number; message?: string }) => void } = {}): Promise<CallToolResult> {
    const client = await this.connected();
    return (await client.callTool({ name: tool, arguments: args }, CallToolResultSchema, {
      ...(options.signal ? { signal: options.signal } : {}),
      ...(options.onprogress ? { onprogress: options.onprogress, resetTimeoutOnProgress: true } : {}),
      timeout: 10 * 60_000,
    })) as CallToolResult;
  }

  async close(): Promise<void> {
    const client = this.client;
    this.client = undefined;
    await client?.close().catch(() => undefined);
  }

  private connected(): Promise<Client> {
    if (this.client) return Promise.resolve(this.client);
    this.connecting ??= this.connect().finally(() => {
      this.connecting = undefined;
    });
    return this.connecting;
  }

  private async connect(): Promise<Client> {
    const wait = this.lastFailure + RECONNECT_PAUSE_MS - Date.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    const client = new Client({ name: 'approvals-mcp-gateway', version: '0.1.0' });
    const transport =
      'command' in this.config
        ? new StdioClientTransport({
            command: this.config.command,
            args: this.config.args,
            env: { ...getDefaultEnvironment(), ...this.config.env },
            ...(this.config.cwd ? { cwd: this.config.cwd } : {}),
            stderr: 'pipe',
          })
        : new StreamableHTTPClientTransport(new URL(this.config.url), { requestInit: { headers: this.config.headers } });
    if (transport instanceof StdioClientTransport) {
      transport.stderr?.on('data', (chunk: Buffer) => this.log.debug({ upstream: this.name, stderr: chunk.toString().trimEnd() }, 'upstream stderr'));
    }
    client.onclose = () => {
      if (this.client === client) {
        this.client = undefined;
        this.toolList = undefined;
        this.log.warn({ upstream: this.name }, `upstream "${this.name}" closed; it is reconnected on next use`);
      }
    };
    client.onerror = (error) => this.log.debug({ upstream: this.name, err: error }, 'upstream transport error');
    try {
      await client.connect(transport, { timeout: CONNECT_TIMEOUT_MS });
    } catch (error) {
      this.lastFailure = Date.now();
      await client.close().catch(() => undefined);
      throw new UpstreamUnavailableError(`upstream "${this.name}" cannot be reached: ${(error as Error).message}`);
    }
    responsesAfterNotifications(transport);
    client.setNotificationHandler(ToolListChangedNotificationSchema, () => {
      this.toolList = undefined;
      this.onToolsChanged();
    });
    this.client = client;
    this.log.info({ upstream: this.name, server: client.getServerVersion() }, `upstream "${this.name}" connected`);
    return client;
  }
}

/**
 * The SDK's Protocol runs notification handlers one microtask late but settles responses at once,
 * so a server's last progress notification, arriving together with the result, finds its request
 * already retired and is dropped (modelcontextprotocol/typescript-sdk#2580). Settling responses
 * one microtask late too keeps the order the server sent them in, and no progress is lost.
 */
function responsesAfterNotifications(transport: Transport): void {
  const dispatch = transport.onmessage;
  if (!dispatch) return;
  transport.onmessage = (message, extra) => {
    if ('method' in message) return dispatch(message, extra);
    Promise.resolve()
      .then(() => dispatch(message, extra))
      .catch((error: unknown) => transport.onerror?.(error instanceof Error ? error : new Error(String(error))));
  };
}

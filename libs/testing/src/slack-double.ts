import { createHmac } from 'node:crypto';
import { type IncomingMessage, type Server, type ServerResponse, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A local stand-in for the Slack Web API, for tests (Slack cannot be reached from here). It
 * answers chat.postMessage, chat.update and views.open as Slack does, and checks every request
 * against the published contract: POST, `Authorization: Bearer <bot token>`, a form or JSON body,
 * the method's required arguments, and Block Kit limits (block types, text lengths, button
 * shapes). A request that breaks the contract is answered `ok: false` as Slack would and kept in
 * `violations`, so a test can assert there were none. It also stands in for `response_url`.
 */

export interface SlackCall {
  method: string;
  args: Record<string, unknown>;
}

export interface SlackPostedMessage {
  channel: string;
  ts: string;
  text: string;
  blocks: Record<string, unknown>[];
  /** Every version, oldest first (chat.update appends). */
  versions: { text: string; blocks: Record<string, unknown>[] }[];
}

const blockTypes = new Set(['header', 'section', 'context', 'actions', 'divider', 'input', 'image']);

export class SlackDouble {
  readonly calls: SlackCall[] = [];
  readonly violations: string[] = [];
  readonly messages: SlackPostedMessage[] = [];
  readonly ephemeral: { path: string; body: Record<string, unknown> }[] = [];
  readonly modals: { triggerId: string; view: Record<string, unknown> }[] = [];
  /** While set, every Web API call answers this HTTP status (an outage). */
  failWith: number | undefined;
  private server: Server | undefined;
  private counter = 0;

  constructor(readonly botToken = 'xoxb-test-token-0001', readonly signingSecret = 'test-signing-secret-0123456789abcdef') {}

  async start(): Promise<this> {
    this.server = createServer((request, response) => void this.handle(request, response));
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    return this;
  }

  get url(): string {
    return `http://127.0.0.1:${(this.server!.address() as AddressInfo).port}`;
  }

  /** The Web API base URL for the app's configuration (APPROVALS_SLACK_API_URL). */
  get apiUrl(): string {
    return `${this.url}/api/`;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  /** The channel id the double gives a channel name (Slack answers with ids). */
  channelId(name: string): string {
    return name.startsWith('#') ? `C${createHmac('sha256', 'ids').update(name).digest('hex').slice(0, 8).toUpperCase()}` : name;
  }

  /**
   * A request body and headers exactly as Slack sends an interactivity payload: form-encoded
   * `payload=<json>`, signed with v0 HMAC-SHA256 over `v0:<timestamp>:<body>`.
   */
  signedInteraction(payload: Record<string, unknown>, options: { timestamp?: number; secret?: string } = {}): { body: string; headers: Record<string, string> } {
    const body = new URLSearchParams({ payload: JSON.stringify(payload) }).toString();
    const timestamp = String(options.timestamp ?? Math.floor(Date.now() / 1000));
    const signature = `v0=${createHmac('sha256', options.secret ?? this.signingSecret).update(`v0:${timestamp}:${body}`).digest('hex')}`;
    return {
      body,
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-slack-request-timestamp': timestamp, 'x-slack-signature': signature },
    };
  }

  /** A block_actions payload for a click on one of the message's buttons. */
  click(userId: string, actionId: 'approve' | 'deny', value: string): Record<string, unknown> {
    this.counter += 1;
    return {
      type: 'block_actions',
      user: { id: userId, username: userId.toLowerCase(), team_id: 'T0TEST' },
      api_app_id: 'A0TEST',
      trigger_id: `trigger-${this.counter}`,
      response_url: `${this.url}/response/${this.counter}`,
      container: { type: 'message' },
      actions: [{ type: 'button', action_id: actionId, block_id: `approval:${value}`, value, action_ts: `${Date.now() / 1000}` }],
    };
  }

  /** The view_submission payload of the deny modal, with the reason typed in. */
  denyReason(userId: string, actionId: string, reason: string): Record<string, unknown> {
    return {
      type: 'view_submission',
      user: { id: userId, team_id: 'T0TEST' },
      view: { callback_id: 'deny-reason', private_metadata: actionId, state: { values: { reason: { reason: { type: 'plain_text_input', value: reason } } } } },
    };
  }

  private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const raw = await new Promise<string>((resolve) => {
      let text = '';
      request.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
      request.on('end', () => resolve(text));
    });
    const path = request.url ?? '';
    if (path.startsWith('/response/')) {
      this.ephemeral.push({ path, body: JSON.parse(raw || '{}') as Record<string, unknown> });
      return send(response, 200, { ok: true });
    }
    const method = path.replace(/^\/api\//, '').split('?')[0] ?? '';
    const problem = (error: string) => {
      this.violations.push(`${method}: ${error}`);
      return send(response, 200, { ok: false, error });
    };
    if (request.method !== 'POST') return problem(`must be POST, got ${request.method}`);
    if (request.headers.authorization !== `Bearer ${this.botToken}`) {
      this.violations.push(`${method}: bad Authorization header`);
      return send(response, 200, { ok: false, error: 'invalid_auth' });
    }
    const args = parseArgs(request.headers['content-type'] ?? '', raw);
    if (!args) return problem('the body must be application/x-www-form-urlencoded or application/json');
    this.calls.push({ method, args });
    if (this.failWith !== undefined) return send(response, this.failWith, { ok: false, error: 'service_unavailable' });

    switch (method) {
      case 'chat.postMessage': {
        const channel = stringArg(args, 'channel');
        if (!channel) return problem('channel_not_found');
        const blocks = blocksArg(args);
        const blockProblem = blocks === undefined ? 'invalid_blocks: not a JSON array' : checkBlocks(blocks);
        if (blockProblem) return problem(blockProblem);
        const text = stringArg(args, 'text') ?? '';
        if (!text && blocks!.length === 0) return problem('no_text');
        this.counter += 1;
        const ts = `1700000000.${String(this.counter).padStart(6, '0')}`;
        const posted = { channel: this.channelId(channel), ts, text, blocks: blocks!, versions: [{ text, blocks: blocks! }] };
        this.messages.push(posted);
        return send(response, 200, { ok: true, channel: posted.channel, ts, message: { text, blocks } });
      }
      case 'chat.update': {
        const message = this.messages.find((m) => m.channel === stringArg(args, 'channel') && m.ts === stringArg(args, 'ts'));
        if (!message) return problem('message_not_found');
        const blocks = blocksArg(args);
        const blockProblem = blocks === undefined ? 'invalid_blocks: not a JSON array' : checkBlocks(blocks);
        if (blockProblem) return problem(blockProblem);
        message.text = stringArg(args, 'text') ?? message.text;
        message.blocks = blocks!;
        message.versions.push({ text: message.text, blocks: blocks! });
        return send(response, 200, { ok: true, channel: message.channel, ts: message.ts, text: message.text });
      }
      case 'views.open': {
        const triggerId = stringArg(args, 'trigger_id');
        const view = jsonArg(args, 'view');
        if (!triggerId) return problem('invalid_trigger_id');
        if (!view || view['type'] !== 'modal' || !Array.isArray(view['blocks'])) return problem('invalid_arguments: view must be a modal with blocks');
        const blockProblem = checkBlocks(view['blocks'] as Record<string, unknown>[]);
        if (blockProblem) return problem(blockProblem);
        this.modals.push({ triggerId, view });
        return send(response, 200, { ok: true, view: { id: `V${this.modals.length}` } });
      }
      default:
        return problem('unknown_method');
    }
  }
}

function send(response: ServerResponse, status: number, body: unknown): void {
  response.writeHead(status, { 'content-type': 'application/json; charset=utf-8' });
  response.end(JSON.stringify(body));
}

function parseArgs(contentType: string, raw: string): Record<string, unknown> | undefined {
  if (contentType.startsWith('application/json')) {
    try {
      return JSON.parse(raw) as Record<string, unknown>;
    } catch {
      return undefined;
    }
  }
  if (contentType.startsWith('application/x-www-form-urlencoded')) return Object.fromEntries(new URLSearchParams(raw));
  return undefined;
}

const stringArg = (args: Record<string, unknown>, name: string): string | undefined => (typeof args[name] === 'string' ? (args[name] as string) : undefined);

/** Form-encoded calls carry JSON-valued arguments as strings. */
function jsonArg(args: Record<string, unknown>, name: string): Record<string, unknown> | undefined {
  const value = args[name];
  if (typeof value === 'string') {
    try {
      return JSON.parse(value) as Record<string, unknown>;
    } catch {
      return undefined;
    }
  }
  return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : undefined;
}

function blocksArg(args: Record<string, unknown>): Record<string, unknown>[] | undefined {
  const value = args['blocks'];
  if (value === undefined) return [];
  const parsed = typeof value === 'string' ? (() => { try { return JSON.parse(value) as unknown; } catch { return undefined; } })() : value;
  return Array.isArray(parsed) ? (parsed as Record<string, unknown>[]) : undefined;
}

/** Block Kit's published limits for the blocks we use; the first breach, or undefined. */
function checkBlocks(blocks: Record<string, unknown>[]): string | undefined {
  if (blocks.length > 50) return 'invalid_blocks: more than 50 blocks';
  for (const [index, block] of blocks.entries()) {
    const where = `invalid_blocks: blocks[${index}]`;
    if (!blockTypes.has(String(block['type']))) return `${where}: unknown type ${String(block['type'])}`;
    const text = block['text'] as { type?: string; text?: string } | undefined;
    if (block['type'] === 'header' && (text?.type !== 'plain_text' || !text.text || text.text.length > 150)) return `${where}: header needs plain_text of at most 150`;
    if (block['type'] === 'section') {
      const fields = block['fields'] as { text?: string }[] | undefined;
      if (!text && !fields) return `${where}: section needs text or fields`;
      if (text && (!text.text || text.text.length > 3000)) return `${where}: section text must be 1-3000 characters`;
      if (fields && (fields.length > 10 || fields.some((f) => !f.text || f.text.length > 2000))) return `${where}: at most 10 fields of at most 2000 characters`;
    }
    if (block['type'] === 'actions') {
      const elements = block['elements'] as Record<string, unknown>[] | undefined;
      if (!Array.isArray(elements) || elements.length === 0 || elements.length > 25) return `${where}: actions need 1-25 elements`;
      for (const element of elements) {
        const label = element['text'] as { type?: string; text?: string } | undefined;
        if (element['type'] !== 'button') return `${where}: only buttons are expected here`;
        if (typeof element['action_id'] !== 'string' || (element['action_id'] as string).length > 255) return `${where}: a button needs an action_id`;
        if (label?.type !== 'plain_text' || !label.text || label.text.length > 75) return `${where}: a button needs plain_text of at most 75`;
        if (typeof element['value'] === 'string' && (element['value'] as string).length > 2000) return `${where}: a button value is at most 2000`;
        if (element['style'] !== undefined && element['style'] !== 'primary' && element['style'] !== 'danger') return `${where}: style must be primary or danger`;
      }
    }
    if (block['type'] === 'input' && (!block['label'] || !block['element'])) return `${where}: input needs label and element`;
  }
  return undefined;
}

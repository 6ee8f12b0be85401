import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { Human, NotificationChannel, PendingApproval } from '@approvals/application';
import { shownParameters } from '@approvals/application';
import { Webhook } from 'standardwebhooks';
import { z } from 'zod';

/**
 * Signed webhooks for any other system (a ticketing tool, a SIEM), following the Standard Webhooks
 * conventions (https://www.standardwebhooks.com): `webhook-id`, `webhook-timestamp` and
 * `webhook-signature` (`v1,<base64 HMAC-SHA256 of "<id>.<timestamp>.<body>">`, keyed with the
 * endpoint's `whsec_` secret), signed with the official library. The id of a message is the same
 * on every retry, so receivers can drop duplicates as the standard recommends.
 */

export interface WebhookEndpoint {
  /** What policies name: `@channels("webhook:<name>")`. */
  name: string;
  url: string;
  /** `whsec_` and base64: signs what we send and verifies the votes the endpoint's system sends back. */
  secret: string;
}

const endpointsFileSchema = z.strictObject({
  $comment: z.string().optional(),
  webhooks: z.array(
    z.strictObject({
      name: z.string().regex(/^[a-z0-9][a-z0-9._-]{0,63}$/, { error: 'name must be lower-case letters, digits, ".", "_" or "-"' }),
      url: z.url({ error: 'url must be an http(s) URL' }),
      secret: z.string().regex(/^whsec_[A-Za-z0-9+/=]{24,}$/, { error: 'secret must be "whsec_" and at least 24 base64 characters' }),
    }),
  ),
});

/** Reads the endpoints file (APPROVALS_WEBHOOKS_FILE); errors name the entry and field. */
export function loadWebhookEndpoints(file: string): WebhookEndpoint[] {
  const parsed = endpointsFileSchema.safeParse(JSON.parse(readFileSync(file, 'utf8')));
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(`${file}: ${issue?.path.join('.') ?? ''}: ${issue?.message ?? 'invalid'}`);
  }
  const names = parsed.data.webhooks.map((endpoint) => endpoint.name);
  const duplicate = names.find((name, index) => names.indexOf(name) !== index);
  if (duplicate) throw new Error(`${file}: webhook "${duplicate}" is defined twice`);
  return parsed.data.webhooks;
}

export class WebhookChannel implements NotificationChannel {
  readonly name = 'webhook';
  private readonly byName: Map<string, { endpoint: WebhookEndpoint; signer: Webhook }>;

  constructor(
    endpoints: readonly WebhookEndpoint[],
    private readonly options: { now?: () => Date; timeoutMs?: number } = {},
  ) {
    this.byName = new Map(endpoints.map((endpoint) => [endpoint.name, { endpoint, signer: new Webhook(endpoint.secret) }]));
  }

  /** The endpoint a vote claims to come from, to verify it. */
  endpoint(name: string): { endpoint: WebhookEndpoint; signer: Webhook } | undefined {
    return this.byName.get(name);
  }

  async deliver(item: PendingApproval): Promise<{ target: string; messages: string[] } | undefined> {
    const names = (item.channels ?? []).filter((channel) => channel.startsWith('webhook:')).map((channel) => channel.slice('webhook:'.length));
    if (names.length === 0) return undefined; // only where a policy names a webhook
    for (const name of names) await this.send(name, 'approval.requested', item, webhookPayload(item));
    return { target: names.join(','), messages: names };
  }

  async refresh(item: PendingApproval, messages: string[], outcome?: string): Promise<void> {
    const type = outcome ? 'approval.decided' : 'approval.updated';
    for (const name of messages) await this.send(name, type, item, { ...webhookPayload(item), ...(outcome ? { outcome } : {}) }, outcome ?? item.approvedBy.join(','));
  }

  async deliverBreakGlass(item: PendingApproval, recipient: Human): Promise<void> {
    for (const name of (item.channels ?? []).filter((channel) => channel.startsWith('webhook:')).map((channel) => channel.slice(8))) {
      await this.send(name, 'approval.break_glass', item, { ...webhookPayload(item), breakGlass: item.breakGlass, recipient: recipient.id }, recipient.id);
    }
  }

  private async send(name: string, type: string, item: PendingApproval, data: Record<string, unknown>, variant = ''): Promise<void> {
    const target = this.byName.get(name);
    if (!target) throw new Error(`no webhook named "${name}" is configured (APPROVALS_WEBHOOKS_FILE)`);
    const now = this.options.now?.() ?? new Date();
    const id = `msg_${createHash('sha256').update(`${item.actionId}\u0000${name}\u0000${type}\u0000${variant}`).digest('hex').slice(0, 32)}`;
    const body = JSON.stringify({ type, timestamp: now.toISOString(), data });
    const response = await fetch(target.endpoint.url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'webhook-id': id,
        'webhook-timestamp': String(Math.floor(now.getTime() / 1000)),
        'webhook-signature': target.signer.sign(id, now, body),
      },
      body,
      signal: AbortSignal.timeout(this.options.timeoutMs ?? 10_000),
    });
    if (!response.ok) throw new Error(`webhook ${name} answered ${response.status}`);
  }
}

/** The `data` of every webhook message about an item (the receiver verifies the signature over the body). */
export function webhookPayload(item: PendingApproval): Record<string, unknown> {
  return {
    actionId: item.actionId,
    agentId: item.agentId,
    model: item.model,
    onBehalfOf: item.onBehalfOf,
    action: item.action,
    resource: item.resource,
    environment: item.environment,
    dataClassification: item.dataClassification,
    justification: item.justification,
    parameters: webhookParameters(item),
    requestHash: item.requestHash,
    reasons: item.reasons,
    steps: item.steps,
    approvedBy: item.approvedBy,
    requestedAt: item.requestedAt,
    expiresAt: item.expiresAt,
  };
}

/**
 * The parameters for a webhook: the canonical text the request hash covers (a receiver can hash
 * it to check), or only their names when the classification hides values, as in chat.
 */
function webhookParameters(item: PendingApproval): Record<string, unknown> {
  const shown = shownParameters(item);
  if (shown.kind === 'hidden') return { hidden: true, names: shown.names, classification: shown.classification };
  return { hidden: false, canonicalJson: shown.kind === 'text' ? shown.text : '{}' };
}

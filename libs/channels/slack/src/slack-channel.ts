import type { Human, NotificationChannel, PendingApproval } from '@approvals/application';
import { WebClient } from '@slack/web-api';
import { denyModal, slackMessage } from './slack-message';

export interface SlackChannelOptions {
  /** The bot token (xoxb-...). */
  botToken: string;
  /** Where requests go when the policy names no Slack channel. */
  defaultChannel: string;
  /** The Web API base, e.g. https://slack.com/api/ (tests point it at a local double). */
  apiUrl?: string | undefined;
  now?: () => Date;
}

/**
 * Delivers approval requests to Slack with the official Web API client: one Block Kit message per
 * channel the policy names (`slack:#data-approvals`), updated in place as votes arrive and when the
 * outcome is known. The client retries rate limits and server errors itself.
 */
export class SlackChannel implements NotificationChannel {
  readonly name = 'slack';
  private readonly client: WebClient;
  private readonly now: () => Date;

  constructor(private readonly options: SlackChannelOptions) {
    this.client = new WebClient(options.botToken, {
      ...(options.apiUrl ? { slackApiUrl: options.apiUrl } : {}),
      retryConfig: { retries: 3, factor: 2, minTimeout: 200, maxTimeout: 2000 },
      // Each call is bounded (the client's default waits for ever); a delivery that fails is retried later with backoff.
      timeout: 10_000,
    });
    this.now = options.now ?? (() => new Date());
  }

  async deliver(item: PendingApproval): Promise<{ target: string; messages: string[] }> {
    const channels = slackChannelsOf(item, this.options.defaultChannel);
    const messages: string[] = [];
    for (const channel of channels) {
      const posted = await this.client.chat.postMessage({ channel, ...slackMessage(item, this.now()), unfurl_links: false });
      messages.push(`${posted.channel ?? channel}/${posted.ts ?? ''}`);
    }
    return { target: channels.join(','), messages };
  }

  async refresh(item: PendingApproval, messages: string[], outcome?: string): Promise<void> {
    for (const message of messages) {
      const [channel, ts] = splitRef(message);
      await this.client.chat.update({ channel, ts, ...slackMessage(item, this.now(), outcome) });
    }
  }

  /** A reply in the thread of each message, so the reminder sits with the request. */
  async remind(item: PendingApproval, messages: string[]): Promise<void> {
    const minutes = Math.max(1, Math.round((Date.parse(item.expiresAt) - this.now().getTime()) / 60_000));
    for (const message of messages) {
      const [channel, ts] = splitRef(message);
      await this.client.chat.postMessage({
        channel,
        thread_ts: ts,
        text: `Reminder: this request expires in about ${minutes} min; approved by ${item.approvedBy.join(', ') || 'nobody yet'}. Silence is never consent: it will expire.`,
      });
    }
  }

  /** A direct message to a member of the fallback group, when the directory maps their Slack account. */
  async notifyEscalation(item: PendingApproval, recipient: Human, group: string): Promise<void> {
    if (!recipient.slack) return;
    await this.client.chat.postMessage({
      channel: recipient.slack,
      text: `Nobody has decided on ${item.agentId}'s ${item.action} on ${item.resource.kind}:${item.resource.id} (${item.environment}); as a member of ${group} you may approve or deny it now.`,
    });
  }

  /** One direct message for several notices to the same person. */
  async deliverDigest(recipient: Human, lines: string[]): Promise<void> {
    if (!recipient.slack) return;
    await this.client.chat.postMessage({ channel: recipient.slack, text: `${lines.length} updates for you:\n• ${lines.join('\n• ')}` });
  }

  /** A direct message to the agent's owner, when the directory maps their Slack account. */
  async notifyOwner(item: PendingApproval, owner: Human, outcome: string): Promise<void> {
    if (!owner.slack) return;
    await this.client.chat.postMessage({
      channel: owner.slack,
      text: `Your agent ${item.agentId} asked to ${item.action} on ${item.resource.kind}:${item.resource.id} (${item.environment}): ${outcome}.`,
    });
  }

  async deliverBreakGlass(item: PendingApproval, recipient: Human): Promise<void> {
    if (!recipient.slack) return;
    const { invokedBy = '?', justification = '', reviewDueAt = '?' } = item.breakGlass ?? {};
    await this.client.chat.postMessage({
      channel: recipient.slack,
      text: `Break-glass: ${invokedBy} approved ${item.agentId}'s ${item.action} on ${item.resource.kind}:${item.resource.id} without waiting: "${justification}". Review it by ${reviewDueAt}.`,
    });
  }

  /** Opens the modal that asks a denier for a reason (trigger ids live three seconds). */
  async askDenyReason(triggerId: string, actionId: string): Promise<void> {
    await this.client.views.open({ trigger_id: triggerId, view: denyModal(actionId) as never });
  }

  /** Tells the clicking person what happened to their click, visible to them only. */
  async reply(responseUrl: string, text: string): Promise<void> {
    const response = await fetch(responseUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ response_type: 'ephemeral', replace_original: false, text }),
      signal: AbortSignal.timeout(10_000),
    });
    if (!response.ok) throw new Error(`Slack response_url answered ${response.status}`);
  }
}

/** The Slack channels a request goes to: those the policy names, else the default one. */
export function slackChannelsOf(item: Pick<PendingApproval, 'channels'>, defaultChannel: string): string[] {
  const named = (item.channels ?? []).filter((channel) => channel.startsWith('slack:')).map((channel) => channel.slice('slack:'.length));
  return named.length > 0 ? [...new Set(named)] : [defaultChannel];
}

function splitRef(ref: string): [string, string] {
  const index = ref.lastIndexOf('/');
  return [ref.slice(0, index), ref.slice(index + 1)];
}

import type { Human, NotificationChannel, PendingApproval } from '@approvals/application';
import { shownParameters } from '@approvals/application';
import type { BotConnectorClient, TeamsConversation } from './bot-framework';

export const TEAMS_APPROVE_VERB = 'approve';
export const TEAMS_DENY_VERB = 'deny';

/**
 * The Adaptive Card of one approval request (schema 1.4, Universal Actions): the same context as
 * the Slack message, a reason box, and Approve / Deny as `Action.Execute` with the action id in
 * their data. With an outcome, or a note for the person who acted, the buttons give way to it.
 */
export function approvalCard(item: PendingApproval, now: Date, outcome?: string, note?: string): Record<string, unknown> {
  const fact = (title: string, value: string | undefined) => ({ title, value: value || '—' });
  const parameters = parametersText(item);
  const seconds = Math.round((Date.parse(item.expiresAt) - now.getTime()) / 1000);
  const body: Record<string, unknown>[] = [
    { type: 'TextBlock', size: 'Medium', weight: 'Bolder', text: `Approval needed: ${item.action}`, wrap: true },
    {
      type: 'FactSet',
      facts: [
        fact('Action id', item.actionId),
        fact('Agent', `${item.agentId}${item.model ? ` (${item.model})` : ''}`),
        fact('On behalf of', item.onBehalfOf),
        fact('Resource', `${item.resource.kind}:${item.resource.id}`),
        fact('Environment', item.environment),
        fact('Classification', item.dataClassification),
        fact('Time left', seconds > 0 ? `${Math.ceil(seconds / 60)} min` : 'expired'),
        fact('Needs', item.steps.map((step) => `${step.minApprovals} of ${step.group}`).join(' and ')),
        fact('Approved by', item.approvedBy.join(', ')),
      ],
    },
    { type: 'TextBlock', text: `**Justification:** ${item.justification || '—'}`, wrap: true },
    { type: 'TextBlock', text: `**Parameters:** ${parameters}`, wrap: true },
    { type: 'TextBlock', text: `Policy: ${item.reasons.join('; ') || 'approval required'}`, wrap: true, isSubtle: true },
  ];
  if (note) body.push({ type: 'TextBlock', text: note, wrap: true, color: 'Attention' });
  if (outcome) {
    body.push({ type: 'TextBlock', text: outcome, wrap: true, weight: 'Bolder' });
    return card(body, []);
  }
  body.push({ type: 'Input.Text', id: 'reason', placeholder: 'Reason (required to deny)', isMultiline: true, maxLength: 2000 });
  return card(body, [
    { type: 'Action.Execute', title: 'Approve', verb: TEAMS_APPROVE_VERB, data: { actionId: item.actionId }, style: 'positive' },
    { type: 'Action.Execute', title: 'Deny', verb: TEAMS_DENY_VERB, data: { actionId: item.actionId }, style: 'destructive' },
  ]);
}

function card(body: Record<string, unknown>[], actions: Record<string, unknown>[]): Record<string, unknown> {
  return { $schema: 'http://adaptivecards.io/schemas/adaptive-card.json', type: 'AdaptiveCard', version: '1.4', body, actions };
}

export const cardActivity = (content: Record<string, unknown>, text: string): Record<string, unknown> => ({
  type: 'message',
  text,
  attachments: [{ contentType: 'application/vnd.microsoft.card.adaptive', content }],
});

/**
 * Delivers approval requests to Microsoft Teams through a Bot Framework bot: one card per
 * conversation the policy names (`teams:<name>`, from APPROVALS_TEAMS_CONVERSATIONS_FILE), updated in
 * place as votes arrive and when the outcome is known.
 */
export class TeamsChannel implements NotificationChannel {
  readonly name = 'teams';
  private readonly byName: Map<string, TeamsConversation>;

  constructor(
    private readonly connector: BotConnectorClient,
    conversations: readonly TeamsConversation[],
    private readonly now: () => Date = () => new Date(),
  ) {
    this.byName = new Map(conversations.map((conversation) => [conversation.name, conversation]));
  }

  async deliver(item: PendingApproval): Promise<{ target: string; messages: string[] } | undefined> {
    const names = (item.channels ?? []).filter((channel) => channel.startsWith('teams:')).map((channel) => channel.slice('teams:'.length));
    const known = names.filter((name) => this.byName.has(name));
    if (known.length === 0) return undefined;
    const messages: string[] = [];
    for (const name of known) {
      const conversation = this.byName.get(name)!;
      const id = await this.connector.sendActivity(conversation.serviceUrl, conversation.conversationId, cardActivity(approvalCard(item, this.now()), summary(item)));
      messages.push(`${name}/${id}`);
    }
    return { target: known.join(','), messages };
  }

  async refresh(item: PendingApproval, messages: string[], outcome?: string): Promise<void> {
    for (const message of messages) {
      const index = message.indexOf('/');
      const conversation = this.byName.get(message.slice(0, index));
      if (!conversation) continue;
      await this.connector.updateActivity(conversation.serviceUrl, conversation.conversationId, message.slice(index + 1), cardActivity(approvalCard(item, this.now(), outcome), summary(item)));
    }
  }

  async deliverBreakGlass(_item: PendingApproval, _recipient: Human): Promise<void> {
    // Personal Teams notices need the person's chat with the bot; they get the card's update instead.
  }
}

function summary(item: PendingApproval): string {
  return `${item.agentId} asks to ${item.action} on ${item.resource.kind}:${item.resource.id} (${item.environment})`;
}

/**
 * The simplest Teams option: a notify-only Workflows webhook ("Post to a channel when a webhook
 * request is received"). It shows the card without buttons; people decide in another channel.
 */
export class TeamsWorkflowChannel implements NotificationChannel {
  readonly name = 'teams-workflow';

  constructor(
    private readonly url: string,
    private readonly now: () => Date = () => new Date(),
  ) {}

  async deliver(item: PendingApproval): Promise<{ target: string; messages: string[] }> {
    await this.post(approvalCard(item, this.now(), undefined, `Decide with: npm run approvals -- approve ${item.actionId} --as <you> (or in Slack, Teams with the bot, the API)`));
    return { target: 'workflow', messages: ['workflow'] };
  }

  async refresh(item: PendingApproval, _messages: string[], outcome?: string): Promise<void> {
    if (outcome) await this.post(approvalCard(item, this.now(), outcome));
  }

  async deliverBreakGlass(): Promise<void> {
    // Notify-only channel posts: the break-glass is on the card's update.
  }

  private async post(card: Record<string, unknown>): Promise<void> {
    const response = await fetch(this.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ type: 'message', attachments: [{ contentType: 'application/vnd.microsoft.card.adaptive', contentUrl: null, content: withoutActions(card) }] }),
      signal: AbortSignal.timeout(10_000),
    });
    if (!response.ok) throw new Error(`the Teams workflow webhook answered ${response.status}`);
  }
}

function withoutActions(card: Record<string, unknown>): Record<string, unknown> {
  const body = (card['body'] as { type?: string }[]).filter((element) => element.type !== 'Input.Text');
  return { ...card, body, actions: [] };
}

const maxParametersChars = 1500;

/** The canonical parameter text (I5), cut visibly when long, or their names when values are hidden. */
function parametersText(item: PendingApproval): string {
  const shown = shownParameters(item);
  if (shown.kind === 'none') return '—';
  if (shown.kind === 'hidden') return `${shown.names.join(', ')}: values hidden (${shown.classification} data)`;
  if (shown.text.length <= maxParametersChars) return shown.text;
  return `${shown.text.slice(0, maxParametersChars)} … (${shown.text.length - maxParametersChars} more characters: see the whole request in the web console)`;
}

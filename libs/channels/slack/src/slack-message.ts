import type { PendingApproval } from '@approvals/application';
import { shownParameters } from '@approvals/application';

/**
 * The Block Kit message of one approval request: everything needed to decide on one screen, and
 * Approve / Deny buttons whose value is the action id. Once the outcome is known the buttons go
 * and the outcome takes their place.
 */

/** Parameters are shown only for classifications that do not restrict who may read them. */
const maxParametersChars = 1500;
/** Block Kit limits: section text 3000 characters, plain_text of a button 75. */
const sectionLimit = 3000;

export const SLACK_APPROVE_ACTION = 'approve';
export const SLACK_DENY_ACTION = 'deny';
export const SLACK_DENY_MODAL = 'deny-reason';

type Block = Record<string, unknown>;

export function slackMessage(item: PendingApproval, now: Date, outcome?: string): { text: string; blocks: Block[] } {
  const text = `${item.agentId} asks to ${item.action} on ${item.resource.kind}:${item.resource.id} (${item.environment})`;
  const field = (label: string, value: string) => ({ type: 'mrkdwn', text: clip(`*${label}*\n${value || '—'}`, 2000) });
  const blocks: Block[] = [
    { type: 'header', text: { type: 'plain_text', text: clip(`Approval needed: ${item.action}`, 150) } },
    {
      type: 'section',
      fields: [
        field('Agent', `${item.agentId}${item.model ? ` (${item.model})` : ''}`),
        field('On behalf of', item.onBehalfOf ?? ''),
        field('Resource', `${item.resource.kind}:${item.resource.id}`),
        field('Environment', item.environment),
        field('Classification', item.dataClassification ?? ''),
        field('Time left', timeLeft(item.expiresAt, now)),
      ],
    },
    { type: 'section', text: { type: 'mrkdwn', text: clip(`*Justification*\n${item.justification || '—'}`, sectionLimit) } },
    { type: 'section', text: { type: 'mrkdwn', text: clip(`*Parameters*\n${parametersText(item)}`, sectionLimit) } },
    {
      type: 'context',
      elements: [
        {
          type: 'mrkdwn',
          text: clip(`Policy ${item.policies?.length ? `\`${item.policies.join('`, `')}\`` : ''}: ${item.reasons.join('; ') || 'approval required'}`, sectionLimit),
        },
      ],
    },
    {
      type: 'section',
      text: {
        type: 'mrkdwn',
        text: clip(`*Needs* ${item.steps.map((step) => `${step.minApprovals} of ${step.group}`).join(' and ')} · *approved by* ${item.approvedBy.join(', ') || 'nobody yet'}`, sectionLimit),
      },
    },
  ];
  if (outcome) {
    blocks.push({ type: 'section', text: { type: 'mrkdwn', text: clip(`*${outcome}*`, sectionLimit) } });
  } else {
    blocks.push({
      type: 'actions',
      block_id: `approval:${item.actionId}`,
      elements: [
        { type: 'button', action_id: SLACK_APPROVE_ACTION, style: 'primary', text: { type: 'plain_text', text: 'Approve' }, value: item.actionId },
        { type: 'button', action_id: SLACK_DENY_ACTION, style: 'danger', text: { type: 'plain_text', text: 'Deny…' }, value: item.actionId },
      ],
    });
  }
  return { text: outcome ? `${text}: ${outcome}` : text, blocks };
}

/** The modal that asks a denier for the reason the ledger will record. */
export function denyModal(actionId: string): Record<string, unknown> {
  return {
    type: 'modal',
    callback_id: SLACK_DENY_MODAL,
    private_metadata: actionId,
    title: { type: 'plain_text', text: 'Deny the request' },
    submit: { type: 'plain_text', text: 'Deny' },
    close: { type: 'plain_text', text: 'Cancel' },
    blocks: [
      {
        type: 'input',
        block_id: 'reason',
        label: { type: 'plain_text', text: 'Why is it denied?' },
        element: { type: 'plain_text_input', action_id: 'reason', multiline: true, max_length: 2000 },
      },
    ],
  };
}

function parametersText(item: PendingApproval): string {
  const shown = shownParameters(item);
  if (shown.kind === 'none') return '—';
  if (shown.kind === 'hidden') return `${shown.names.map((key) => `\`${key}\``).join(', ')}: values hidden (${shown.classification} data)`;
  if (shown.text.length <= maxParametersChars) return `\`\`\`${shown.text}\`\`\``;
  // Cut visibly: the approver must know there is more than the message shows.
  return `\`\`\`${shown.text.slice(0, maxParametersChars)}\`\`\`\n_…${shown.text.length - maxParametersChars} more characters: see the whole request in the web console_`;
}

function timeLeft(expiresAt: string, now: Date): string {
  const seconds = Math.round((Date.parse(expiresAt) - now.getTime()) / 1000);
  if (!Number.isFinite(seconds) || seconds <= 0) return 'expired';
  if (seconds < 120) return `${seconds} s`;
  if (seconds < 7200) return `${Math.round(seconds / 60)} min`;
  return `${Math.round(seconds / 3600)} h`;
}

function clip(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

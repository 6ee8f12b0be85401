import type { Human, NotificationChannel, PendingApproval } from '@approvals/application';
import type { Logger } from '@approvals/telemetry';

/** Writes each approval request to the log: the only channel of the embedded slice. */
export class LogNotificationChannel implements NotificationChannel {
  readonly name = 'log';

  constructor(private readonly logger: Logger) {}

  async deliver(item: PendingApproval): Promise<{ target: string }> {
    const needs = item.steps.map((s) => `${s.minApprovals} from ${s.group}`).join(' and ');
    this.logger.info(
      { actionId: item.actionId, agentId: item.agentId, action: item.action, expiresAt: item.expiresAt, steps: item.steps, channels: item.channels ?? [] },
      `approval needed: ${item.agentId} wants ${item.action} on ${item.resource.kind}:${item.resource.id} (${item.environment}); needs ${needs}; approve with: npm run approvals -- approve ${item.actionId} --as <you>`,
    );
    return { target: 'log' };
  }

  async deliverBreakGlass(item: PendingApproval, recipient: Human): Promise<void> {
    const { invokedBy = '?', justification = '', reviewDueAt = '?' } = item.breakGlass ?? {};
    this.logger.warn(
      { actionId: item.actionId, recipient: recipient.id, invokedBy, reviewDueAt },
      `BREAK-GLASS: ${invokedBy} approved ${item.agentId}'s ${item.action} on ${item.resource.kind}:${item.resource.id} (${item.environment}) without waiting: "${justification}". ` +
        `${recipient.id}, review it by ${reviewDueAt}: npm run approvals -- review ${item.actionId} --verdict justified|unjustified --comment <text> --as <you>`,
    );
  }

  async remind(item: PendingApproval): Promise<void> {
    this.logger.info(
      { actionId: item.actionId, expiresAt: item.expiresAt },
      `reminder: ${item.agentId}'s ${item.action} on ${item.resource.kind}:${item.resource.id} expires at ${item.expiresAt}; approved by ${item.approvedBy.join(', ') || 'nobody yet'}`,
    );
  }

  async notifyEscalation(item: PendingApproval, recipient: Human, group: string): Promise<void> {
    this.logger.warn(
      { actionId: item.actionId, recipient: recipient.id, group },
      `escalated: nobody decided on ${item.agentId}'s ${item.action} on ${item.resource.kind}:${item.resource.id}; ${recipient.id} (${group}) may approve it now: npm run approvals -- approve ${item.actionId} --as ${recipient.id}`,
    );
  }

  async deliverDigest(recipient: Human, lines: string[]): Promise<void> {
    this.logger.info({ recipient: recipient.id, count: lines.length }, `digest for ${recipient.id}: ${lines.length} notices\n- ${lines.join('\n- ')}`);
  }

  async notifyOwner(item: PendingApproval, owner: Human, outcome: string): Promise<void> {
    this.logger.info({ actionId: item.actionId, owner: owner.id }, `${owner.id}: your agent ${item.agentId}'s ${item.action} request: ${outcome}`);
  }
}

import type { Clock } from '../ports/clock.port';
import type { Directory, Human } from '../ports/directory.port';
import type { NotifierOptions } from './notifier-options';
import type { NotificationChannel, PendingApproval } from './pending-approval';
import { InMemoryPersonalNoticeStore, type PersonalMessage, type PersonalNotice, PersonalNotices } from './personal-notices';

/** Messages to one person (owner notices, escalations), through every channel, via the digest window. */
export class PersonalMessages {
  private readonly notices: PersonalNotices;

  constructor(
    private readonly channels: readonly NotificationChannel[],
    private readonly directory: Directory,
    clock: Clock,
    private readonly options: NotifierOptions,
  ) {
    this.notices = new PersonalNotices(
      clock,
      options.digestWindowMs ?? 60_000,
      options.personalNotices ?? new InMemoryPersonalNoticeStore(),
      (notice) => this.sendOne(notice),
      (recipient, lines) => this.digest(recipient, lines),
    );
  }

  /** Sends the digests of personal notices whose window has ended (the notifier's clock calls it). */
  flushDigests(): Promise<number> {
    return this.notices.flush();
  }

  /** One personal notice through every channel that can deliver it, via the digest window. */
  send(recipient: Human, line: string, message: PersonalMessage): Promise<void> {
    return this.notices.notify({ recipient, line, message });
  }

  /** The agent's accountable owner hears how each of its requests that waited for people ended. */
  async tellOwner(item: PendingApproval, outcome: string): Promise<void> {
    const owner = item.agentOwner ? this.directory.findHuman(item.agentOwner) : undefined;
    if (!owner) return;
    await this.send(owner, `${item.agentId}'s ${item.action} on ${item.resource.kind}:${item.resource.id}: ${outcome}`, { kind: 'owner', item, outcome });
  }

  private async sendOne({ recipient, message }: PersonalNotice): Promise<void> {
    for (const channel of this.channels) {
      try {
        if (message.kind === 'owner') await channel.notifyOwner?.(message.item, recipient, message.outcome);
        else await channel.notifyEscalation?.(message.item, recipient, message.group);
      } catch (error) {
        this.options.onChannelError?.(error, { channel: channel.name, actionId: message.item.actionId, what: 'update' });
      }
    }
  }

  private async digest(recipient: Human, lines: string[]): Promise<void> {
    for (const channel of this.channels) {
      try {
        await channel.deliverDigest?.(recipient, lines);
      } catch (error) {
        this.options.onChannelError?.(error, { channel: channel.name, actionId: '', what: 'update' });
      }
    }
  }
}

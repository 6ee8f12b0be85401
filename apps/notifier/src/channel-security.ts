import { Inject, Injectable, Logger } from '@nestjs/common';
import type { EventStore, IdGenerator } from '@approvals/application';
import { EVENT_STORE, IDS } from '@approvals/nest-platform';

/** Where refused channel callbacks are recorded for the auditors: they name no action we can trust. */
export const CHANNEL_SECURITY_STREAM = 'channel-security';

/** Records refused callbacks of chat and webhook channels (forged, stale, replayed, unknown user). */
@Injectable()
export class ChannelSecurityLog {
  private readonly logger = new Logger('ChannelSecurityLog');

  constructor(
    @Inject(EVENT_STORE) private readonly ledger: EventStore,
    @Inject(IDS) private readonly ids: IdGenerator,
  ) {}

  async refused(channel: string, reason: string, detail: string, claimed: Record<string, string> = {}): Promise<void> {
    this.logger.warn(`refused a ${channel} callback: ${reason}: ${detail}`);
    await this.ledger.appendToStream(CHANNEL_SECURITY_STREAM, [
      {
        eventId: this.ids.next(),
        type: 'ChannelCallbackRejected',
        // What an unverified request claimed is kept for the investigation, never trusted.
        data: { channel, reason, detail, ...claimed, rejectedAt: new Date().toISOString() },
        metadata: { actor: { kind: 'service', id: 'notifier' } },
      },
    ]);
  }
}

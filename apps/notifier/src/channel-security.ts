import type { BeforeApplicationShutdown, OnApplicationBootstrap } from '@nestjs/common';
import { Inject, Injectable } from '@nestjs/common';
import type { Clock, EventStore, IdGenerator, Refusal } from '@approvals/application';
import type { LedgerEventData } from '@approvals/contracts';
import { RefusalSummaries } from '@approvals/application';
import type { Logger } from '@approvals/telemetry';
import { CLOCK, EVENT_STORE, IDS, LOGGER } from '@approvals/nest-platform';
import { MetricNames, approvalsMeter } from '@approvals/telemetry';

/** Where refused channel callbacks are recorded for the auditors: they name no action we can trust. */
export const CHANNEL_SECURITY_STREAM = 'channel-security';

/**
 * Records refused callbacks of chat and webhook channels (forged, stale, replayed, unknown user)
 * for the auditors: each one in full (`ChannelCallbackRejected`, with its source), until a source
 * refuses more than RefusalSummaries lets through in a minute; the rest become one
 * `ChannelCallbacksRejected` with their count when the minute ends (or the service stops). Every
 * refusal is counted in the metric `approvals.channel.callbacks.refused`.
 */
@Injectable()
export class ChannelSecurityLog implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly summaries = new RefusalSummaries();
  private readonly refusedCounter = approvalsMeter().createCounter(MetricNames.callbacksRefused, {
    description: 'Refused channel callbacks (forged, stale, replayed, unknown user)',
    unit: '{callback}',
  });
  private readonly log: Logger;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    @Inject(EVENT_STORE) private readonly ledger: EventStore,
    @Inject(IDS) private readonly ids: IdGenerator,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(LOGGER) logger: Logger,
  ) {
    this.log = logger.child({ component: 'channel-security' });
  }

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => void this.recordSummaries(false), 1000);
    this.timer.unref();
  }

  /** What was counted and not recorded yet goes into the ledger before it closes. */
  async beforeApplicationShutdown(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.recordSummaries(true);
  }

  /** `about`: the action of a verified request, or what an unverified one claimed (never trusted). */
  async refused(refusal: Refusal, about: { actionId?: string; claimedActionId?: string } = {}): Promise<void> {
    this.refusedCounter.add(1, { 'approvals.channel': refusal.channel, 'approvals.reason': refusal.reason });
    const now = this.clock.now();
    if (!this.summaries.admit(refusal, now)) return;
    this.log.warn({ ...refusal }, `refused a ${refusal.channel} callback: ${refusal.reason}: ${refusal.detail}`);
    await this.append('ChannelCallbackRejected', { ...about, ...refusal, rejectedAt: now.toISOString() });
  }

  private async recordSummaries(everything: boolean): Promise<void> {
    for (const summary of this.summaries.due(this.clock.now(), everything)) {
      this.log.warn({ ...summary }, `refused ${summary.count} more ${summary.channel} callbacks from ${summary.source} (${summary.reason}) without recording each`);
      try {
        await this.append('ChannelCallbacksRejected', summary);
      } catch (err) {
        // The count is in the log line above and in the metric; the ledger gets the next one.
        this.log.error({ err, ...summary }, 'could not record a summary of refused callbacks');
      }
    }
  }

  private async append<T extends 'ChannelCallbackRejected' | 'ChannelCallbacksRejected'>(type: T, data: LedgerEventData<T>): Promise<void> {
    await this.ledger.appendToStream(CHANNEL_SECURITY_STREAM, [{ eventId: this.ids.next(), type, data, metadata: { actor: { kind: 'service', id: 'notifier' } } }]);
  }
}

import type { OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { Inject, Injectable, Module } from '@nestjs/common';
import type { Clock, CommandSender, Directory, EventStore, IdGenerator, PendingApprovalStore } from '@approvals/application';
import type { LeasedWork } from '@approvals/application';
import { AuditQueries, ChannelVotes, NotifierService } from '@approvals/application';
import type { ServiceState } from '@approvals/service-state';
import type { AppConfig } from '@approvals/config';
import type { Logger } from '@approvals/telemetry';
import type { OpenReadModel } from '@approvals/read-model';
import { LogNotificationChannel } from '@approvals/channels-core';
import { createChannels, type CreatedChannels } from '@approvals/channels';
import { openReadModel } from '@approvals/read-model';
import { openWithRetry } from '@approvals/ledger';
import { ChannelSecurityLog } from './channel-security';
import { REPLAY_GUARD } from './http';
import { CONSOLE_QUERIES, ConsoleController } from './console/console.controller';
import { TEAMS_AUTH, TeamsController } from './teams.controller';
import { WEBHOOK_CHANNEL, WebhookController } from './webhook.controller';

/** The configured channels, created once by their plugins (`@approvals/channels`). */
const CHANNELS = Symbol('Channels');
const CONSOLE_READ_MODEL = Symbol('ConsoleReadModel');
import { CLOCK, COMMAND_SENDER, CONFIG, DIRECTORY, EVENT_STORE, IDS, LOGGER, SERVICE_STATE, leasedWork } from '@approvals/nest-platform';
import { instrumentChannel } from '@approvals/telemetry';
import { DecisionsGrpcController } from './decisions.grpc.controller';
import { NotifierBusController } from './notifier.bus.controller';
import { SLACK_CHANNEL, SLACK_VERIFIER, SlackController } from './slack.controller';

const PENDING_STORE = Symbol('PendingApprovalStore');

/**
 * The notifier's clock work while the service runs: sends the digests whose window ended, retries
 * failed deliveries, asks for escalations and sends reminders before expiry, on one replica at a
 * time (the holder of the lease "notifier.clock"; their state is in the shared store, so another
 * replica or a restart resumes them).
 */
@Injectable()
export class DeliveryRetries implements OnApplicationBootstrap, OnApplicationShutdown {
  private timer: NodeJS.Timeout | undefined;
  private running = false;
  private readonly lease: LeasedWork;

  constructor(
    @Inject(NotifierService) private readonly notifier: NotifierService,
    @Inject(CONFIG) private readonly config: AppConfig,
    @Inject(LOGGER) private readonly logger: Logger,
    @Inject(SERVICE_STATE) state: ServiceState,
  ) {
    this.lease = leasedWork('notifier.clock', { start: async () => undefined, stop: async () => undefined }, 'runs the notifier clock work (digests, retries, escalations, reminders)', {
      state,
      config,
      logger,
    });
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.lease.start();
    this.timer = setInterval(() => void this.tick(), Math.min(this.config.deliveryRetryMs, 1000));
    this.timer.unref();
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.lease.stop();
  }

  private async tick(): Promise<void> {
    if (this.running) return;
    this.running = true;
    try {
      if (!this.lease.held) return;
      await this.notifier.flushDigests();
      const items = await this.notifier.pendingItems();
      await this.notifier.retryDeliveries(items);
      await this.notifier.sendEscalations(items);
      if (this.config.reminderBeforeSeconds > 0) await this.notifier.sendReminders(this.config.reminderBeforeSeconds, items);
    } catch (err) {
      this.logger.warn({ err }, 'delivery retries failed; trying again shortly');
    } finally {
      this.running = false;
    }
  }
}

@Module({
  controllers: [NotifierBusController, DecisionsGrpcController, SlackController, WebhookController, TeamsController, ConsoleController],
  providers: [
    ChannelSecurityLog,
    {
      // The console's history and audit pages read the auditors' read model (its own connection).
      provide: CONSOLE_READ_MODEL,
      useFactory: (config: AppConfig, logger: Logger) =>
        openWithRetry(() => openReadModel(config.readModel, (err) => logger.warn({ err }, 'console read model connection error')), {
          onRetry: (err, attempt) => logger.warn({ err, attempt }, 'the audit read model cannot be opened for the console yet; retrying'),
        }),
      inject: [CONFIG, LOGGER],
    },
    { provide: CONSOLE_QUERIES, useFactory: (store: OpenReadModel) => new AuditQueries(store), inject: [CONSOLE_READ_MODEL] },
    { provide: CHANNELS, useFactory: (config: AppConfig) => createChannels(config.channels), inject: [CONFIG] },
    // What each channel's callback endpoint needs; null when the channel is not configured.
    { provide: TEAMS_AUTH, useFactory: (channels: CreatedChannels) => channels.teams?.auth ?? null, inject: [CHANNELS] },
    { provide: WEBHOOK_CHANNEL, useFactory: (channels: CreatedChannels) => channels.webhook?.channel ?? null, inject: [CHANNELS] },
    { provide: SLACK_CHANNEL, useFactory: (channels: CreatedChannels) => channels.slack?.channel ?? null, inject: [CHANNELS] },
    { provide: SLACK_VERIFIER, useFactory: (channels: CreatedChannels) => channels.slack?.verifier ?? null, inject: [CHANNELS] },
    { provide: PENDING_STORE, useFactory: (state: ServiceState) => state.pendingApprovals(), inject: [SERVICE_STATE] },
    { provide: REPLAY_GUARD, useFactory: (state: ServiceState) => state.replays, inject: [SERVICE_STATE] },
    {
      provide: NotifierService,
      useFactory: (
        ledger: EventStore,
        pending: PendingApprovalStore,
        commands: CommandSender,
        directory: Directory,
        clock: Clock,
        ids: IdGenerator,
        logger: Logger,
        config: AppConfig,
        created: CreatedChannels,
        state: ServiceState,
      ) => {
        const log = logger.child({ component: 'notifier' });
        const channels = [new LogNotificationChannel(log), ...created.delivery];
        return new NotifierService(ledger, pending, channels.map(instrumentChannel), commands, directory, clock, ids, {
          onChannelError: (err, { channel, actionId, what, attempts }) =>
            what === 'delivery'
              ? log.warn({ err, channel, actionId, attempts }, `could not deliver to ${channel}; retrying with backoff`)
              : log.warn({ err, channel, actionId }, `could not update the ${channel} message; the vote and the outcome stand`),
          retryBaseMs: config.deliveryRetryMs,
          digestWindowMs: config.digestWindowSeconds * 1000,
          personalNotices: state.personalNotices,
        });
      },
      inject: [EVENT_STORE, PENDING_STORE, COMMAND_SENDER, DIRECTORY, CLOCK, IDS, LOGGER, CONFIG, CHANNELS, SERVICE_STATE],
    },
    {
      provide: ChannelVotes,
      useFactory: (notifier: NotifierService, directory: Directory, security: ChannelSecurityLog) => new ChannelVotes(notifier, directory, security),
      inject: [NotifierService, DIRECTORY, ChannelSecurityLog],
    },
    DeliveryRetries,
  ],
})
export class NotifierModule implements OnApplicationShutdown {
  constructor(@Inject(CONSOLE_READ_MODEL) private readonly readModel: OpenReadModel) {}

  async onApplicationShutdown(): Promise<void> {
    await this.readModel.close();
  }
}

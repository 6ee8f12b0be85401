import type { OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { Inject, Injectable, Module } from '@nestjs/common';
import type { CheckpointStore, Clock, Directory, EventStore, IdGenerator, LedgerIntegrity, MessagePublisher } from '@approvals/application';
import { DecisionHandlers, DecisionService, ExpiryScheduler, LogKeeper, OutboxRelay } from '@approvals/application';
import type { AppConfig, Ledger, Logger } from '@approvals/platform';
import { GRANT_AUDIENCE, GRANT_ISSUER, GrantKeyRing } from '@approvals/platform';
import { CHECKPOINT_STORE, CLOCK, CONFIG, DIRECTORY, EVENT_STORE, IDS, LEDGER, LEDGER_INTEGRITY, LOGGER, MESSAGE_PUBLISHER } from '@approvals/nest-platform';
import { InstrumentedEventStore, MetricNames, observeGauge } from '@approvals/telemetry';
import { DecisionBusController } from './decision.bus.controller';
import { GRANT_KEYS, JwksController } from './jwks.controller';

/** Starts the outbox relay and the expiry scheduler with the application, stops them before the ledger closes. */
@Injectable()
export class DecisionRuntime implements OnApplicationBootstrap, OnModuleDestroy {
  constructor(
    @Inject(OutboxRelay) private readonly relay: OutboxRelay,
    @Inject(ExpiryScheduler) private readonly expiries: ExpiryScheduler,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.relay.start();
    await this.expiries.start();
    observeGauge(MetricNames.pendingApprovals, { description: 'Approval requests waiting for people', unit: '{approval}' }, () => this.expiries.pending());
  }

  async onModuleDestroy(): Promise<void> {
    await this.expiries.stop();
    await this.relay.stop();
  }
}

/**
 * Keeps the ledger log (I8) while the decision service runs: the findings recorded before are
 * loaded first, so streams found wrong stay refused after a restart; then the keeper follows the
 * ledger in the background and is started again (after a pause) if it stops on an error.
 */
@Injectable()
export class LedgerLogRuntime implements OnApplicationBootstrap, OnModuleDestroy {
  private keeper: LogKeeper | undefined;
  private stopped = false;
  private restart: NodeJS.Timeout | undefined;

  constructor(
    @Inject(LEDGER) private readonly ledger: Ledger,
    @Inject(LEDGER_INTEGRITY) private readonly integrity: LedgerIntegrity | undefined,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const log = this.ledger.log;
    if (!log || !this.integrity) {
      this.logger.warn(`the ${this.ledger.spec.store} ledger keeps no ledger log yet: streams are not checked against one (I8)`);
      return;
    }
    await this.integrity.start();
    const integrity = this.integrity;
    this.keeper = new LogKeeper(this.ledger.events, log, {
      densePositions: this.ledger.densePositions,
      onFinding: (finding) => integrity.found(finding),
      onError: (err) => this.failed(err),
    });
    observeGauge(MetricNames.ledgerLogSize, { description: 'Events in the ledger Merkle tree', unit: '{event}' }, () => this.keeper?.size ?? 0);
    this.run();
  }

  async onModuleDestroy(): Promise<void> {
    this.stopped = true;
    if (this.restart) clearTimeout(this.restart);
    await this.keeper?.stop();
  }

  private run(): void {
    this.keeper?.start().catch((err: unknown) => this.failed(err));
  }

  private failed(err: unknown): void {
    if (this.stopped || this.restart) return;
    this.logger.error({ err }, 'the ledger log keeper stopped; starting it again in 1 s');
    this.restart = setTimeout(() => {
      this.restart = undefined;
      void (async () => {
        await this.keeper?.stop().catch(() => undefined);
        if (!this.stopped) this.run();
      })();
    }, 1000);
  }
}

@Module({
  controllers: [DecisionBusController, JwksController],
  providers: [
    {
      provide: GRANT_KEYS,
      useFactory: (config: AppConfig) =>
        GrantKeyRing.open({
          keyFile: config.grantKeys.file,
          generateIfMissing: config.grantKeys.generateIfMissing,
          issuer: GRANT_ISSUER,
          audience: GRANT_AUDIENCE,
          ttlSeconds: config.grantTtlSeconds,
        }),
      inject: [CONFIG],
    },
    {
      provide: DecisionService,
      // The decision service writes the ledger: each append is a span and a sample, outcomes are counted.
      useFactory: (store: EventStore, grants: GrantKeyRing, directory: Directory, clock: Clock, ids: IdGenerator, config: AppConfig, integrity: LedgerIntegrity | undefined) =>
        new DecisionService({ store: new InstrumentedEventStore(store, 'decision', config.ledger.store), grants, directory, clock, ids, integrity }),
      inject: [EVENT_STORE, GRANT_KEYS, DIRECTORY, CLOCK, IDS, CONFIG, LEDGER_INTEGRITY],
    },
    {
      provide: DecisionHandlers,
      useFactory: (service: DecisionService, grants: GrantKeyRing) => new DecisionHandlers(service, grants),
      inject: [DecisionService, GRANT_KEYS],
    },
    {
      provide: OutboxRelay,
      useFactory: (store: EventStore, checkpoints: CheckpointStore, publisher: MessagePublisher, logger: Logger) =>
        new OutboxRelay(store, checkpoints, publisher, (err) => logger.error({ err }, 'outbox relay failed; restarting from its checkpoint')),
      inject: [EVENT_STORE, CHECKPOINT_STORE, MESSAGE_PUBLISHER, LOGGER],
    },
    {
      provide: ExpiryScheduler,
      useFactory: (store: EventStore, clock: Clock, handlers: DecisionHandlers, relay: OutboxRelay, logger: Logger, config: AppConfig) =>
        new ExpiryScheduler(
          store,
          clock,
          (actionId) => handlers.expire(actionId),
          (err) => logger.error({ err }, 'expiry or evaluation retry failed; will retry'),
          config.expiryCheckMs,
          {
            afterMs: config.reactionRetryMs,
            maxEvaluationAttempts: config.evaluationMaxAttempts,
            retry: async (actionId, trigger) => {
              logger.warn({ actionId, trigger }, `no reaction to ${trigger} yet; delivering it again`);
              await relay.redeliver(actionId, trigger);
            },
            giveUpEvaluation: async (actionId, attempts) => {
              logger.error({ actionId, attempts }, 'no policy evaluation could be obtained; the action expires');
              await handlers.expireUnevaluated(actionId, `no policy evaluation after ${attempts} attempts`);
            },
          },
        ),
      inject: [EVENT_STORE, CLOCK, DecisionHandlers, OutboxRelay, LOGGER, CONFIG],
    },
    LedgerLogRuntime,
    DecisionRuntime,
  ],
})
export class DecisionModule {}

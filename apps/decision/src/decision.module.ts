import type { OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { Inject, Injectable, Module } from '@nestjs/common';
import type { CheckpointStore, Clock, Directory, EventStore, IdGenerator, LedgerIntegrity, MessagePublisher } from '@approvals/application';
import type { Witness, WitnessedCheckpoint } from '@approvals/application';
import type { LeasedWork } from '@approvals/application';
import { Checkpointer, DecisionHandlers, DecisionService, ExpiryScheduler, LogKeeper, OutboxRelay, TreeReader, verifyLedger } from '@approvals/application';
import type { AppConfig } from '@approvals/config';
import type { Ledger } from '@approvals/ledger';
import type { ServiceState } from '@approvals/service-state';
import type { Logger } from '@approvals/telemetry';
import { CheckpointKeyRing } from '@approvals/keys';
import { FileWitness, WebhookWitness } from '@approvals/ledger-core';
import { GrantKeyRing } from '@approvals/grants';
import { GRANT_AUDIENCE, GRANT_ISSUER } from '@approvals/sdk';
import { CHECKPOINT_STORE, CLOCK, CONFIG, DIRECTORY, EVENT_STORE, IDS, LEDGER, LEDGER_INTEGRITY, LOGGER, MESSAGE_PUBLISHER, SERVICE_STATE, leasedWork } from '@approvals/nest-platform';
import { InstrumentedEventStore, MetricNames, observeGauge } from '@approvals/telemetry';
import { DecisionBusController } from './decision.bus.controller';
import { GRANT_KEYS, JwksController } from './jwks.controller';
import { CHECKPOINT_KEYS, LedgerKeysController } from './ledger-keys.controller';

/**
 * Runs the outbox relay and the expiry scheduler on one decision replica at a time, the holder of
 * the lease "decision.outbox" (with one replica, from start-up to shutdown): both follow the
 * whole ledger, so two would publish every event twice and race for every expiry. The relay's
 * checkpoint is in the ledger's store, so a replica that takes over resumes where the last left off.
 */
@Injectable()
export class DecisionRuntime implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly lease: LeasedWork;

  constructor(
    @Inject(OutboxRelay) private readonly relay: OutboxRelay,
    @Inject(ExpiryScheduler) private readonly expiries: ExpiryScheduler,
    @Inject(SERVICE_STATE) state: ServiceState,
    @Inject(CONFIG) config: AppConfig,
    @Inject(LOGGER) logger: Logger,
  ) {
    const work = {
      start: async () => {
        await this.relay.start();
        await this.expiries.start();
      },
      stop: async () => {
        await this.expiries.stop();
        await this.relay.stop();
      },
    };
    this.lease = leasedWork('decision.outbox', work, 'relays the ledger to the bus and fires expiries', { state, config, logger });
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.lease.start();
    observeGauge(MetricNames.pendingApprovals, { description: 'Approval requests waiting for people', unit: '{approval}' }, () => this.expiries.pending());
  }

  async onModuleDestroy(): Promise<void> {
    await this.lease.stop();
  }
}

/**
 * Keeps the ledger log (I8) while the decision service runs: the findings recorded before are
 * loaded first (by every replica), so streams found wrong stay refused after a restart. The
 * keeper, which follows the ledger and extends the log, and the checkpointer run on one replica
 * at a time, the holder of the lease "decision.ledger-log": two keepers would each see the other's
 * progress as a broken chain. The keeper is started again (after a pause) if it stops on an error.
 */
@Injectable()
export class LedgerLogRuntime implements OnApplicationBootstrap, OnModuleDestroy {
  private keeper: LogKeeper | undefined;
  private checkpointer: Checkpointer | undefined;
  private startupCheck: Promise<void> = Promise.resolve();
  private stopped = false;
  private restart: NodeJS.Timeout | undefined;
  private lease: LeasedWork | undefined;

  constructor(
    @Inject(LEDGER) private readonly ledger: Ledger,
    @Inject(LEDGER_INTEGRITY) private readonly integrity: LedgerIntegrity | undefined,
    @Inject(CHECKPOINT_KEYS) private readonly keys: CheckpointKeyRing,
    @Inject(SERVICE_STATE) private readonly state: ServiceState,
    @Inject(CONFIG) private readonly config: AppConfig,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const log = this.ledger.log;
    if (!this.config.checkpoints.enabled) {
      this.logger.warn('APPROVALS_LEDGER_LOG=off: no ledger log is kept and no stream is checked against one (I8); for measurements only');
      return;
    }
    if (!log || !this.integrity) {
      this.logger.warn(`the ${this.ledger.spec.store} ledger keeps no ledger log: streams are not checked against one (I8)`);
      return;
    }
    const spec = this.ledger.spec;
    if (spec.store === 'kurrentdb' && spec.log?.store === 'embedded') {
      this.logger.warn(
        `the KurrentDB ledger's log is kept in ${spec.log.file}, beside this instance's data: with more than one instance, set APPROVALS_POSTGRES_URL so that all share it`,
      );
    }
    await this.integrity.start();
    observeGauge(MetricNames.ledgerLogSize, { description: 'Events in the ledger Merkle tree', unit: '{event}' }, () => this.keeper?.size ?? 0);
    this.lease = leasedWork('decision.ledger-log', { start: () => this.startKeeping(), stop: () => this.stopKeeping() }, 'keeps the ledger log and signs its checkpoints', {
      state: this.state,
      config: this.config,
      logger: this.logger,
    });
    await this.lease.start();
  }

  async onModuleDestroy(): Promise<void> {
    await this.lease?.stop();
  }

  private async startKeeping(): Promise<void> {
    const log = this.ledger.log!;
    const integrity = this.integrity!;
    this.stopped = false;
    this.keeper = new LogKeeper(this.ledger.events, log, {
      densePositions: this.ledger.densePositions,
      onFinding: (finding) => integrity.found(finding),
      onError: (err) => this.failed(err),
    });
    this.run();

    const { checkpoints } = this.config;
    const witnesses: Witness[] = [new FileWitness(checkpoints.witnessFile, () => this.keys.verifiers())];
    if (checkpoints.witnessWebhook) witnesses.push(new WebhookWitness(checkpoints.witnessWebhook.url, checkpoints.witnessWebhook.secret, this.keys.origin));
    this.checkpointer = new Checkpointer(log, new TreeReader(this.ledger.events, log, this.ledger.densePositions), this.keys, witnesses, {
      everyEvents: checkpoints.everyEvents,
      intervalMs: checkpoints.intervalMs,
      onFinding: (finding) => integrity.found(finding),
      onError: (err, witness) => this.logger.warn({ err, witness }, witness ? `witness ${witness} did not take the checkpoint; the next one will be proven from its last` : 'checkpoint failed; trying again at the next one'),
      onCheckpoint: (checkpoint) => this.logger.debug({ size: checkpoint.size, root: checkpoint.rootHash.toString('hex') }, 'ledger checkpoint signed'),
    });
    await this.checkpointer.start();
    // The start-up check: the whole ledger against itself, its log and what the witnesses hold, in the
    // background (its findings stop the service acting, as the keeper's do).
    this.startupCheck = this.checkAgainstWitnesses(witnesses).catch((err: unknown) => this.logger.error({ err }, 'the start-up check of the ledger could not run'));
  }

  private async stopKeeping(): Promise<void> {
    this.stopped = true;
    if (this.restart) clearTimeout(this.restart);
    this.restart = undefined;
    await this.keeper?.stop();
    await this.startupCheck;
    await this.checkpointer?.stop();
  }

  private async checkAgainstWitnesses(witnesses: readonly Witness[]): Promise<void> {
    const witnessed: WitnessedCheckpoint[] = [];
    for (const witness of witnesses) {
      const latest = await witness.latest().catch((err: unknown) => void this.logger.warn({ err }, `witness ${witness.name} cannot be read`));
      if (latest) witnessed.push({ ...latest, source: witness.name });
    }
    const startedAt = Date.now();
    const report = await verifyLedger(this.ledger.events, this.ledger.log, { densePositions: this.ledger.densePositions, witnessed });
    for (const finding of report.findings) this.integrity?.found(finding);
    this.logger.info(
      { events: report.events, findings: report.findings.length, ms: Date.now() - startedAt },
      report.findings.length === 0 ? 'the ledger checks out against its log and its witnesses' : 'the ledger is inconsistent: see the errors above',
    );
  }

  private run(): void {
    this.keeper?.start().catch((err: unknown) => this.failed(err));
  }

  private failed(err: unknown): void {
    if (this.stopped || this.restart) return;
    this.logger.error({ err }, 'the ledger log keeper stopped; starting it again in 1 s');
    // Held until the keeper runs again, so errors of the stopping subscription schedule no second restart.
    this.restart = setTimeout(() => {
      void (async () => {
        await this.keeper?.stop().catch(() => undefined);
        this.restart = undefined;
        if (!this.stopped) this.run();
      })();
    }, 1000);
  }
}

@Module({
  controllers: [DecisionBusController, JwksController, LedgerKeysController],
  providers: [
    {
      provide: CHECKPOINT_KEYS,
      useFactory: (config: AppConfig) =>
        CheckpointKeyRing.open({ keyFile: config.checkpoints.keys.file, generateIfMissing: config.checkpoints.keys.generateIfMissing, origin: config.checkpoints.origin }),
      inject: [CONFIG],
    },
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

import type { OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { Inject, Module } from '@nestjs/common';
import type { Clock, EventStore, IdGenerator, MessagePublisher } from '@approvals/application';
import { PolicyActivations, PolicyEvaluationHandler, PolicySetReloader } from '@approvals/application';
import type { AppConfig } from '@approvals/config';
import type { Logger } from '@approvals/telemetry';
import { PolicyDirWatcher } from '@approvals/policy-cedar';
import { PolicyEngineThread } from './policy-engine-thread';
import { CLOCK, CONFIG, EVENT_STORE, IDS, LOGGER, MESSAGE_PUBLISHER } from '@approvals/nest-platform';
import { InstrumentedEventStore, instrumentPolicyEngine } from '@approvals/telemetry';
import { PolicyEvaluatorBusController } from './policy-evaluator.bus.controller';

const POLICY_ENGINE = Symbol('PolicyEngine');
const RELOADER = Symbol('PolicySetReloader');

@Module({
  controllers: [PolicyEvaluatorBusController],
  providers: [
    {
      provide: POLICY_ENGINE,
      useFactory: async (config: AppConfig, logger: Logger) => {
        const engine = await PolicyEngineThread.start({
          policyDir: config.policyDir,
          directoryFile: config.directoryFile,
          onThreadExit: (err, restarted) =>
            restarted
              ? logger.warn({ err }, 'the policy engine thread died and was started again with the same policy set')
              : logger.error({ err }, 'the policy engine thread died; evaluations fail (actions wait, then expire) until the service restarts'),
        });
        logger.info({ policyVersion: engine.version, policyDir: config.policyDir }, 'policy set loaded');
        return engine;
      },
      inject: [CONFIG, LOGGER],
    },
    {
      provide: PolicyEvaluationHandler,
      useFactory: (engine: PolicyEngineThread, publisher: MessagePublisher, clock: Clock, ids: IdGenerator) =>
        new PolicyEvaluationHandler(instrumentPolicyEngine(engine), publisher, clock, ids),
      inject: [POLICY_ENGINE, MESSAGE_PUBLISHER, CLOCK, IDS],
    },
    {
      provide: RELOADER,
      useFactory: (engine: PolicyEngineThread, store: EventStore, clock: Clock, ids: IdGenerator, config: AppConfig, logger: Logger) =>
        new PolicySetReloader(engine, new PolicyActivations(new InstrumentedEventStore(store, 'policy-evaluator', config.ledger.store), clock, ids, 'policy-evaluator'), config.policyDir, {
          activated: (from, to, trigger) => logger.info({ fromVersion: from, toVersion: to, trigger }, 'policy set activated'),
          unchanged: (version, trigger) => logger.info({ policyVersion: version, trigger }, 'policy set unchanged'),
          rejected: (message, running, trigger) =>
            logger.error({ runningVersion: running, trigger }, `new policy set rejected, still running ${running}: ${message}`),
          notRecorded: (err, version) => logger.error({ err, policyVersion: version }, 'policy set activated but not recorded in the ledger'),
        }),
      inject: [POLICY_ENGINE, EVENT_STORE, CLOCK, IDS, CONFIG, LOGGER],
    },
  ],
})
export class PolicyEvaluatorModule implements OnApplicationBootstrap, OnApplicationShutdown {
  private watcher: PolicyDirWatcher | undefined;
  private readonly onSignal = () => void this.reloader.reload('signal');

  constructor(
    @Inject(POLICY_ENGINE) private readonly engine: PolicyEngineThread,
    @Inject(RELOADER) private readonly reloader: PolicySetReloader,
    @Inject(CONFIG) private readonly config: AppConfig,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  /** Records the running set, then follows the policy files and SIGHUP for new versions. */
  async onApplicationBootstrap(): Promise<void> {
    await this.reloader.start();
    this.watcher = new PolicyDirWatcher(
      this.config.policyDir,
      this.config.directoryFile,
      () => void this.reloader.reload('file-change'),
      (err) => this.logger.warn({ err }, 'watching the policy files failed; reload them with SIGHUP'),
    );
    this.watcher.start();
    process.on('SIGHUP', this.onSignal);
  }

  /** After the bus has drained (messages in flight still need the engine). */
  async onApplicationShutdown(): Promise<void> {
    process.off('SIGHUP', this.onSignal);
    this.watcher?.stop();
    await this.engine.stop();
  }
}

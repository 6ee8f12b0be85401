import type { OnApplicationShutdown } from '@nestjs/common';
import { Inject, Module } from '@nestjs/common';
import type { Clock, IdGenerator, MessagePublisher } from '@approvals/application';
import { PolicyEvaluationHandler } from '@approvals/application';
import type { AppConfig, Logger } from '@approvals/platform';
import { PolicyEngineThread } from '@approvals/platform';
import { CLOCK, CONFIG, IDS, LOGGER, MESSAGE_PUBLISHER } from '@approvals/nest-platform';
import { PolicyEvaluatorBusController } from './policy-evaluator.bus.controller';

const POLICY_ENGINE = Symbol('PolicyEngine');

@Module({
  controllers: [PolicyEvaluatorBusController],
  providers: [
    {
      provide: POLICY_ENGINE,
      useFactory: async (config: AppConfig, logger: Logger) => {
        const engine = await PolicyEngineThread.start({ policyDir: config.policyDir, directoryFile: config.directoryFile });
        logger.info({ policyVersion: engine.version, policyDir: config.policyDir }, 'policy set loaded');
        return engine;
      },
      inject: [CONFIG, LOGGER],
    },
    {
      provide: PolicyEvaluationHandler,
      useFactory: (engine: PolicyEngineThread, publisher: MessagePublisher, clock: Clock, ids: IdGenerator) =>
        new PolicyEvaluationHandler(engine, publisher, clock, ids),
      inject: [POLICY_ENGINE, MESSAGE_PUBLISHER, CLOCK, IDS],
    },
  ],
})
export class PolicyEvaluatorModule implements OnApplicationShutdown {
  constructor(@Inject(POLICY_ENGINE) private readonly engine: PolicyEngineThread) {}

  /** After the bus has drained (messages in flight still need the engine). */
  async onApplicationShutdown(): Promise<void> {
    await this.engine.stop();
  }
}

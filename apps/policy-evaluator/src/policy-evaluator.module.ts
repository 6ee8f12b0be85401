import { Module } from '@nestjs/common';
import type { Clock, Directory, IdGenerator, MessagePublisher } from '@approvals/application';
import { PolicyEvaluationHandler } from '@approvals/application';
import type { AppConfig, Logger } from '@approvals/platform';
import { CedarPolicyEngine, loadCedarPolicySet } from '@approvals/platform';
import { CLOCK, CONFIG, DIRECTORY, IDS, LOGGER, MESSAGE_PUBLISHER } from '@approvals/nest-platform';
import { PolicyEvaluatorBusController } from './policy-evaluator.bus.controller';

const POLICY_ENGINE = Symbol('PolicyEngine');

@Module({
  controllers: [PolicyEvaluatorBusController],
  providers: [
    {
      provide: POLICY_ENGINE,
      useFactory: (config: AppConfig, directory: Directory, logger: Logger) => {
        const engine = new CedarPolicyEngine(loadCedarPolicySet(config.policyDir), { directory });
        logger.info({ policyVersion: engine.version, policyDir: config.policyDir }, 'policy set loaded');
        return engine;
      },
      inject: [CONFIG, DIRECTORY, LOGGER],
    },
    {
      provide: PolicyEvaluationHandler,
      useFactory: (engine: CedarPolicyEngine, publisher: MessagePublisher, clock: Clock, ids: IdGenerator) =>
        new PolicyEvaluationHandler(engine, publisher, clock, ids),
      inject: [POLICY_ENGINE, MESSAGE_PUBLISHER, CLOCK, IDS],
    },
  ],
})
export class PolicyEvaluatorModule {}

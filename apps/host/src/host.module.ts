import type { DynamicModule } from '@nestjs/common';
import { Module } from '@nestjs/common';
import type { AppConfig } from '@approvals/config';
import { EmbeddedInfraModule, HealthController, MetricsController } from '@approvals/nest-platform';
import { AuditProjectorModule } from '@approvals/audit-projector-service';
import { DecisionModule } from '@approvals/decision-service';
import { IntakeModule } from '@approvals/intake-service';
import { NotifierModule } from '@approvals/notifier-service';
import { PolicyEvaluatorModule } from '@approvals/policy-evaluator-service';

/** Embedded mode: the five services as modules of one application over the in-process bus. */
@Module({})
export class HostModule {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: HostModule,
      imports: [EmbeddedInfraModule.forRoot(config), IntakeModule, PolicyEvaluatorModule, DecisionModule, NotifierModule, AuditProjectorModule],
      controllers: [HealthController, MetricsController],
    };
  }
}

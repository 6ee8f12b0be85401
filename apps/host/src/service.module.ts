import type { DynamicModule, Type } from '@nestjs/common';
import { Module } from '@nestjs/common';
import type { AppConfig } from '@approvals/config';
import type { ServiceName } from '@approvals/nest-platform';
import { DistributedInfraModule, HealthController, MetricsController } from '@approvals/nest-platform';
import { AuditProjectorModule } from '@approvals/audit-projector-service';
import { DecisionModule } from '@approvals/decision-service';
import { IntakeModule } from '@approvals/intake-service';
import { NotifierModule } from '@approvals/notifier-service';
import { PolicyEvaluatorModule } from '@approvals/policy-evaluator-service';

const serviceModules: Record<ServiceName, Type> = {
  intake: IntakeModule,
  'policy-evaluator': PolicyEvaluatorModule,
  decision: DecisionModule,
  notifier: NotifierModule,
  'audit-projector': AuditProjectorModule,
};

/** Distributed mode: one service per process, the same module as in embedded mode, over Kafka. */
@Module({})
export class ServiceModule {
  static forRoot(config: AppConfig, service: ServiceName): DynamicModule {
    return {
      module: ServiceModule,
      imports: [DistributedInfraModule.forRoot(config, service), serviceModules[service]],
      controllers: [HealthController, MetricsController],
    };
  }
}

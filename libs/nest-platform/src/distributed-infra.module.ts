import type { CommandSender } from '@approvals/application';
import { KafkaCommandSender, KafkaHealth, KafkaNames, KafkaPublisher, createKafka, ensureTopics, plannedTopics } from '@approvals/bus';
import type { AppConfig } from '@approvals/config';
import { dataFiles } from '@approvals/config';
import type { Ledger } from '@approvals/ledger';
import type { ServiceState } from '@approvals/service-state';
import type { WalCheckpointer } from '@approvals/sqlite';
import type { Logger } from '@approvals/telemetry';
import type { DynamicModule, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { Global, Inject, Module } from '@nestjs/common';
import type { Kafka } from 'kafkajs';
import { randomUUID } from 'node:crypto';
import { KafkaServer } from './kafka.server';
import type { ServiceName } from './services';
import { sharedProviders } from './shared-providers';
import {
  AUTHENTICATOR,
  BUS_SERVER,
  BUS_STATUS,
  CHECKPOINT_STORE,
  CLOCK,
  COMMAND_SENDER,
  CONFIG,
  DIRECTORY,
  EVENT_STORE,
  IDS,
  LEDGER,
  LEDGER_INTEGRITY,
  LOGGER,
  MESSAGE_PUBLISHER,
  SERVICE_STATE,
} from './tokens';
import { checkpointSqliteFiles } from './wal-checkpoints';

const KAFKA = Symbol('Kafka');
const KAFKA_HEALTH = Symbol('KafkaHealth');
const SERVICE = Symbol('ServiceName');

/** Services that send commands to the decision service and so wait for replies. */
const commandSenders: readonly ServiceName[] = ['intake', 'notifier'];

/** The SQLite files each service writes, and so checkpoints (one writer per file). */
const writtenFiles = (config: AppConfig, service: ServiceName): string[] => {
  const files = dataFiles(config);
  const ledger = config.ledger.store === 'embedded' ? [config.ledger.file] : [];
  const readModel = config.readModel.store === 'embedded' ? [config.readModel.file] : [];
  return { decision: ledger, notifier: [files.notifier], 'audit-projector': readModel, intake: [], 'policy-evaluator': [] }[service];
};

/** Refuses what a service that sends no commands tries to send: a wiring mistake, not a runtime state. */
const noCommands = (service: ServiceName): CommandSender => ({
  send: (command) => Promise.reject(new Error(`the ${service} service sends no commands (tried ${command})`)),
});

/**
 * Distributed mode's infrastructure for one service process: Kafka for every message between
 * services (publisher, command request/reply, the KafkaServer transport), the ledger chosen by
 * APPROVALS_LEDGER_STORE (PostgreSQL, KurrentDB, or the SQLite file shared on one machine; the
 * decision service is its only writer) and the directory. The service modules are the same as in embedded mode.
 */
@Global()
@Module({})
export class DistributedInfraModule implements OnApplicationBootstrap, OnApplicationShutdown {
  private checkpointer: WalCheckpointer | undefined;

  constructor(
    @Inject(SERVICE) private readonly service: ServiceName,
    @Inject(LEDGER) private readonly ledger: Ledger,
    @Inject(SERVICE_STATE) private readonly state: ServiceState,
    @Inject(CONFIG) private readonly config: AppConfig,
    @Inject(LOGGER) private readonly logger: Logger,
    @Inject(MESSAGE_PUBLISHER) private readonly publisher: KafkaPublisher,
    @Inject(COMMAND_SENDER) private readonly commands: CommandSender,
    @Inject(KAFKA_HEALTH) private readonly health: KafkaHealth,
  ) {}

  static forRoot(config: AppConfig, service: ServiceName): DynamicModule {
    const names = new KafkaNames(config.kafka.namespace);
    return {
      module: DistributedInfraModule,
      providers: [
        { provide: SERVICE, useValue: service },
        ...sharedProviders(config, `approvals-${service}`),
        {
          provide: KAFKA,
          useFactory: (logger: Logger) => createKafka({ brokers: config.kafka.brokers, clientId: `approvals-${service}`, logger }),
          inject: [LOGGER],
        },
        {
          provide: MESSAGE_PUBLISHER,
          useFactory: async (kafka: Kafka, logger: Logger) => {
            const admin = kafka.admin();
            await admin.connect();
            try {
              const created = await ensureTopics(admin, plannedTopics(names));
              if (created.length > 0) logger.info({ topics: created }, 'created Kafka topics');
            } finally {
              await admin.disconnect();
            }
            return KafkaPublisher.connect(kafka, names);
          },
          inject: [KAFKA, LOGGER],
        },
        {
          // Created after the publisher, whose start-up has just reached the broker.
          provide: KAFKA_HEALTH,
          useFactory: (kafka: Kafka, logger: Logger) =>
            KafkaHealth.start(kafka, {
              onChange: (reachable, err) =>
                reachable
                  ? logger.info('the Kafka broker answers again; ready')
                  : logger.warn({ err }, 'the Kafka broker does not answer; not ready, and commands are answered UNAVAILABLE until it does'),
            }),
          inject: [KAFKA, LOGGER, MESSAGE_PUBLISHER],
        },
        {
          provide: COMMAND_SENDER,
          useFactory: (kafka: Kafka, publisher: KafkaPublisher, health: KafkaHealth, logger: Logger) =>
            commandSenders.includes(service)
              ? KafkaCommandSender.connect(kafka, publisher, {
                  service,
                  timeoutMs: config.commandTimeoutMs,
                  health,
                  onError: (err) => logger.warn({ err }, 'sending a command failed'),
                })
              : noCommands(service),
          inject: [KAFKA, MESSAGE_PUBLISHER, KAFKA_HEALTH, LOGGER],
        },
        {
          provide: BUS_SERVER,
          useFactory: (kafka: Kafka, publisher: KafkaPublisher, health: KafkaHealth, logger: Logger) =>
            new KafkaServer({
              kafka,
              publisher,
              health,
              // The intake's feed serves its own watchers: every instance reads every update, from now on.
              groupId: service === 'intake' ? `${names.group(service)}.${randomUUID()}` : names.group(service),
              fromBeginning: service !== 'intake',
              logger,
            }),
          inject: [KAFKA, MESSAGE_PUBLISHER, KAFKA_HEALTH, LOGGER],
        },
        { provide: BUS_STATUS, useExisting: BUS_SERVER },
      ],
      exports: [CONFIG, LOGGER, LEDGER, SERVICE_STATE, LEDGER_INTEGRITY, EVENT_STORE, CHECKPOINT_STORE, DIRECTORY, AUTHENTICATOR, CLOCK, IDS, MESSAGE_PUBLISHER, COMMAND_SENDER, BUS_SERVER, BUS_STATUS],
    };
  }

  onApplicationBootstrap(): void {
    const files = writtenFiles(this.config, this.service);
    if (files.length === 0) return;
    this.checkpointer = checkpointSqliteFiles(files, this.config, this.logger);
  }

  /** After the transport has closed (Nest closes servers first): replies and dead letters are written by then. */
  async onApplicationShutdown(): Promise<void> {
    if (this.commands instanceof KafkaCommandSender) await this.commands.close();
    await this.health.stop();
    await this.publisher.close();
    await this.checkpointer?.stop();
    await this.ledger.close();
    await this.state.close();
  }
}

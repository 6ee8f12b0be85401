// Telemetry first: it must patch the libraries the rest of the imports load.
import './telemetry';
import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import type { MicroserviceOptions } from '@nestjs/microservices';
import { createLogger } from '@approvals/telemetry';
import type { KafkaServer } from '@approvals/nest-platform';
import {
  BUS_SERVER,
  PinoNestLogger,
  grpcServerOptions,
  grpcServices,
  isServiceName,
  loadConfigOrExit,
  serviceNames,
  stopGracefullyOnSignals,
  guardProcess,
  limitHttpRequests,
} from '@approvals/nest-platform';
import { ServiceModule } from './service.module';

/** Distributed mode: `service-main.js <service>` runs one of the five services, talking over Kafka. */
async function main(): Promise<void> {
  const service = process.argv[2] ?? '';
  if (!isServiceName(service)) {
    process.stderr.write(`usage: service-main.js <${serviceNames.join('|')}> (got "${service}")\n`);
    process.exit(2);
  }
  const config = loadConfigOrExit();
  if (service === 'decision') refuseLocalSigningKeys(config);
  if (service === 'notifier') refuseLocalSessionSecret(config);
  const logger = createLogger(`approvals-${service}`, config.logLevel);
  guardProcess(logger);
  const app = await NestFactory.create(ServiceModule.forRoot(config, service), { logger: new PinoNestLogger(logger), abortOnError: false, rawBody: true });
  app.connectMicroservice<MicroserviceOptions>({ strategy: app.get<KafkaServer>(BUS_SERVER) });
  const grpc = grpcServices.includes(service);
  if (grpc) app.connectMicroservice<MicroserviceOptions>(grpcServerOptions(config));
  limitHttpRequests(app, config, logger);
  await app.startAllMicroservices();
  await app.listen(config.httpPort, config.host);
  stopGracefullyOnSignals(app, logger);
  logger.info(
    { service, grpc: grpc ? `${config.host}:${config.grpcPort}` : undefined, http: `http://${config.host}:${config.httpPort}`, brokers: config.kafka.brokers },
    `approvals ${service} is ready (distributed mode)${grpc ? `: gRPC on ${config.host}:${config.grpcPort}` : ''}, HTTP on http://${config.host}:${config.httpPort}`,
  );
}

/**
 * Every decision replica must sign grants and checkpoints with the same keys, from files the
 * operator provides: a key generated on one replica's own disk would make the grants it issued
 * unknown to the others (refused as an unknown kid once it is gone).
 */
function refuseLocalSigningKeys(config: ReturnType<typeof loadConfigOrExit>): void {
  const missing = [
    config.grantKeys.generateIfMissing ? 'APPROVALS_GRANT_KEYS_FILE (create it: npm run approvals -- grant-keys rotate --file <file>)' : undefined,
    config.checkpoints.keys.generateIfMissing ? 'APPROVALS_CHECKPOINT_KEYS_FILE (create it: npm run approvals -- checkpoint-keys rotate --file <file>)' : undefined,
  ].filter((setting) => setting !== undefined);
  if (missing.length === 0) return;
  process.stderr.write(
    `approvals decision refuses to start: in distributed mode every replica must sign with the same keys, read from files ` +
      `the operator provides, never generated on its own disk. Set:\n  ${missing.join('\n  ')}\n`,
  );
  process.exit(2);
}

/**
 * Every notifier replica must sign the console's session cookies with the same secret: with a
 * secret of its own, an approver signed in through one replica would be signed out by the next
 * request that the load balancer sends to another.
 */
function refuseLocalSessionSecret(config: ReturnType<typeof loadConfigOrExit>): void {
  if (config.consoleSecret) return;
  process.stderr.write(
    'approvals notifier refuses to start: in distributed mode every replica must sign console sessions with the same secret. ' +
      'Set APPROVALS_CONSOLE_SECRET (at least 32 characters, e.g. from: openssl rand -base64 32), the same for every replica.\n',
  );
  process.exit(2);
}

main().catch((error: unknown) => {
  process.stderr.write(`approvals ${process.argv[2] ?? ''} failed to start: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});

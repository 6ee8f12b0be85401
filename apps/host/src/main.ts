// Telemetry first: it must patch the libraries the rest of the imports load.
import './telemetry';
import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import type { MicroserviceOptions } from '@nestjs/microservices';
import type { InProcessBroker } from '@approvals/bus';
import { createLogger } from '@approvals/telemetry';
import { BROKER, InProcessServer, PinoNestLogger, grpcServerOptions, loadConfigOrExit, stopGracefullyOnSignals, guardProcess, limitHttpRequests } from '@approvals/nest-platform';
import { HostModule } from './host.module';

/** Embedded mode: the five services in this one process, over the in-process bus. */
async function main(): Promise<void> {
  const config = loadConfigOrExit();
  const logger = createLogger('approvals', config.logLevel);
  guardProcess(logger);
  const app = await NestFactory.create(HostModule.forRoot(config), { logger: new PinoNestLogger(logger), abortOnError: false, rawBody: true });
  app.connectMicroservice<MicroserviceOptions>({ strategy: new InProcessServer(app.get<InProcessBroker>(BROKER)) });
  app.connectMicroservice<MicroserviceOptions>(grpcServerOptions(config));
  limitHttpRequests(app, config, logger);
  await app.startAllMicroservices();
  await app.listen(config.httpPort, config.host);
  stopGracefullyOnSignals(app, logger);
  logger.info(
    { grpc: `${config.host}:${config.grpcPort}`, http: `http://${config.host}:${config.httpPort}`, dataDir: config.dataDir },
    `approvals is ready (embedded mode): gRPC on ${config.host}:${config.grpcPort}, HTTP on http://${config.host}:${config.httpPort}`,
  );
}

main().catch((error: unknown) => {
  process.stderr.write(`approvals failed to start: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});

import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import type { MicroserviceOptions } from '@nestjs/microservices';
import { Transport } from '@nestjs/microservices';
import { grpcLimits, grpcPackage, protoFiles, protoLoaderOptions, protoRoot } from '@approvals/contracts';
import type { InProcessBroker } from '@approvals/platform';
import { ConfigError, createLogger, loadConfig } from '@approvals/platform';
import { BROKER, InProcessServer, PinoNestLogger } from '@approvals/nest-platform';
import { HostModule } from './host.module';

async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(2);
    }
    throw error;
  }
  const logger = createLogger('approvals', config.logLevel);
  const app = await NestFactory.create(HostModule.forRoot(config), { logger: new PinoNestLogger(logger), abortOnError: false });
  app.connectMicroservice<MicroserviceOptions>({ strategy: new InProcessServer(app.get<InProcessBroker>(BROKER)) });
  app.connectMicroservice<MicroserviceOptions>({
    transport: Transport.GRPC,
    options: {
      package: grpcPackage,
      protoPath: [...protoFiles],
      loader: { ...protoLoaderOptions, includeDirs: [protoRoot()] },
      url: `${config.host}:${config.grpcPort}`,
      maxReceiveMessageLength: grpcLimits.maxReceiveMessageBytes,
    },
  });
  await app.startAllMicroservices();
  await app.listen(config.httpPort, config.host);
  // Graceful stop: stop producing, drain the bus, close the servers, then the stores; exit 0.
  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down');
    setTimeout(() => {
      logger.error('shutdown took longer than 15 s; exiting anyway (unfinished work is redelivered on the next start)');
      process.exit(1);
    }, 15_000).unref();
    app.close().then(
      () => {
        logger.info('stopped');
        process.exit(0);
      },
      (error: unknown) => {
        logger.error({ err: error }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
  logger.info(
    { grpc: `${config.host}:${config.grpcPort}`, http: `http://${config.host}:${config.httpPort}`, dataDir: config.dataDir },
    `approvals is ready (embedded mode): gRPC on ${config.host}:${config.grpcPort}, HTTP on http://${config.host}:${config.httpPort}`,
  );
}

main().catch((error: unknown) => {
  process.stderr.write(`approvals failed to start: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});

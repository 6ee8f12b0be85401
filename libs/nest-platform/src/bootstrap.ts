import { readFileSync } from 'node:fs';
import { ServerCredentials } from '@grpc/grpc-js';
import type { INestApplication } from '@nestjs/common';
import type { GrpcOptions } from '@nestjs/microservices';
import { Transport } from '@nestjs/microservices';
import { grpcLimits, grpcPackage } from '@approvals/contracts';
import type { AppConfig } from '@approvals/config';
import type { Logger } from '@approvals/telemetry';
import { ConfigError, loadConfig } from '@approvals/config';
import { activeTelemetry } from '@approvals/telemetry/start';
import { strictUtf8PackageDefinition } from './grpc-utf8';

/** The validated configuration, or exit 2 with the message that names the bad setting. */
export function loadConfigOrExit(): AppConfig {
  try {
    return loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(2);
    }
    throw error;
  }
}

/** Our gRPC server (every proto package; the process serves those it has controllers for). */
export const grpcServerOptions = (config: AppConfig): GrpcOptions => ({
  transport: Transport.GRPC,
  options: {
    package: grpcPackage,
    // Our protos, with decoders that catch string fields that are not UTF-8 (see grpc-utf8.ts).
    packageDefinition: strictUtf8PackageDefinition(),
    url: `${config.host}:${config.grpcPort}`,
    maxReceiveMessageLength: grpcLimits.maxReceiveMessageBytes,
    ...(config.grpcTls ? { credentials: serverCredentials(config.grpcTls) } : {}),
  },
});

/** TLS for the gRPC port; with a client CA, a client without a certificate it issued cannot connect. */
function serverCredentials(tls: NonNullable<AppConfig['grpcTls']>): ServerCredentials {
  const clientCa = tls.clientCaFile ? readFileSync(tls.clientCaFile) : null;
  return ServerCredentials.createSsl(clientCa, [{ cert_chain: readFileSync(tls.certFile), private_key: readFileSync(tls.keyFile) }], clientCa !== null);
}

/**
 * Graceful stop on SIGTERM/SIGINT: Nest closes the servers (the bus finishes the messages in hand
 * and commits their offsets), then the stores; exit 0. Capped, so a stuck dependency cannot keep
 * the process alive: what is unfinished is redelivered on the next start.
 */
export function stopGracefullyOnSignals(app: INestApplication, logger: Logger, capMs = 15_000): void {
  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down');
    setTimeout(() => {
      logger.error(`shutdown took longer than ${capMs / 1000} s; exiting anyway (unfinished work is redelivered on the next start)`);
      process.exit(1);
    }, capMs).unref();
    app.close().then(
      async () => {
        // Spans and metrics still buffered go out before the process ends.
        await activeTelemetry()?.shutdown();
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
}

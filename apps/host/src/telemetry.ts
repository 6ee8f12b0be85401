// The first import of every main: OpenTelemetry must patch grpc, http, kafkajs, pg and pino before
// anything loads them. `service-main.js <service>` names its service; the embedded host is one.
import type { Telemetry } from '@approvals/telemetry/start';
import { TelemetryConfigError, startTelemetry } from '@approvals/telemetry/start';

const service = process.argv[1]?.endsWith('service-main.js') ? process.argv[2] : undefined;

function start(): Telemetry {
  try {
    return startTelemetry(service ? { serviceName: `approvals-${service}`, mode: 'distributed' } : { serviceName: 'approvals', mode: 'embedded' });
  } catch (error) {
    if (!(error instanceof TelemetryConfigError)) throw error;
    process.stderr.write(`${error.message}\n`);
    process.exit(2);
  }
}

export const telemetry = start();

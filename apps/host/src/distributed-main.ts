import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { dirname, join } from 'node:path';
import { createLogger } from '@approvals/telemetry';
import type { ServiceName } from '@approvals/nest-platform';
import { grpcServices, loadConfigOrExit } from '@approvals/nest-platform';
import { GrantKeyRing } from '@approvals/grants';
import { CheckpointKeyRing } from '@approvals/keys';

/**
 * Local distributed mode in one command: checks that the broker answers, then runs the five
 * services as five processes (service-main.js) on consecutive ports, waits until each is ready,
 * and stops them all on Ctrl-C. Each process is configured only by its environment, as it would
 * be under an orchestrator.
 */

/** Start-up order: the decision service (the ledger's writer, creates the topics) first. */
const order: ServiceName[] = ['decision', 'policy-evaluator', 'intake', 'notifier', 'audit-projector'];

const config = loadConfigOrExit();
const log = createLogger('approvals-launcher', config.logLevel);

/** gRPC from APPROVALS_GRPC_PORT up (intake, notifier, audit); HTTP from APPROVALS_HTTP_PORT up (all five). */
const grpcPorts = new Map(grpcServices.map((service, i) => [service, config.grpcPort + i]));
const httpPorts = new Map(order.map((service, i) => [service, config.httpPort + i]));

function reachable(broker: string, timeoutMs = 3000): Promise<boolean> {
  const [host, port] = [broker.slice(0, broker.lastIndexOf(':')), Number(broker.slice(broker.lastIndexOf(':') + 1))];
  return new Promise((resolve) => {
    const socket = connect({ host, port, timeout: timeoutMs });
    socket.once('connect', () => (socket.destroy(), resolve(true)));
    socket.once('timeout', () => (socket.destroy(), resolve(false)));
    socket.once('error', () => resolve(false));
  });
}

async function ready(service: ServiceName, child: ChildProcess, timeoutMs = 90_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`${service} exited with ${child.exitCode} during start-up`);
    try {
      const response = await fetch(`http://${config.host}:${httpPorts.get(service)}/readyz`, { signal: AbortSignal.timeout(2000) });
      if (response.status === 200 && ((await response.json()) as { pid?: number }).pid === child.pid) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`${service} was not ready within ${timeoutMs / 1000} s`);
}

const children = new Map<ServiceName, ChildProcess>();
let stopping = false;

/** Stops every service still running (SIGTERM), waits for them, and exits with `code`. */
function stopAll(code: number): void {
  if (stopping) return;
  stopping = true;
  log.info('stopping the five services ...');
  // A child ended by a signal has a signalCode and no exitCode: it has exited all the same.
  const running = [...children.values()].filter((c) => c.exitCode === null && c.signalCode === null);
  const exits = running.map((c) => new Promise((r) => c.once('exit', r)));
  for (const child of running) child.kill('SIGTERM');
  void Promise.all(exits).then(() => process.exit(code));
}

async function main(): Promise<void> {
  for (const broker of config.kafka.brokers) {
    if (!(await reachable(broker))) {
      log.error(`Kafka does not answer at ${broker}: start it with "deploy/kafka/kafka.sh start" (npm run start:distributed does) or set APPROVALS_KAFKA_BROKERS`);
      process.exit(1);
    }
  }
  process.once('SIGINT', () => stopAll(0));
  process.once('SIGTERM', () => stopAll(0));

  // As an operator would, once: the signing keys every decision replica reads (it refuses to
  // generate its own in distributed mode), kept under the data directory on this one machine.
  const keys: NodeJS.ProcessEnv = {};
  if (config.grantKeys.generateIfMissing) {
    await GrantKeyRing.open({ keyFile: config.grantKeys.file, generateIfMissing: true, issuer: 'approvals', audience: 'approvals-executor', ttlSeconds: config.grantTtlSeconds });
    keys['APPROVALS_GRANT_KEYS_FILE'] = config.grantKeys.file;
  }
  if (config.checkpoints.keys.generateIfMissing) {
    await CheckpointKeyRing.open({ keyFile: config.checkpoints.keys.file, generateIfMissing: true, origin: config.checkpoints.origin });
    keys['APPROVALS_CHECKPOINT_KEYS_FILE'] = config.checkpoints.keys.file;
  }

  // And the console's session secret every notifier replica signs with, kept beside the keys.
  if (!config.consoleSecret) keys['APPROVALS_CONSOLE_SECRET'] = consoleSecret(join(dirname(config.grantKeys.file), 'console-secret'));

  const start = (service: ServiceName) => {
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      ...keys,
      APPROVALS_HTTP_PORT: String(httpPorts.get(service)),
      // Five services, five service names: `<OTEL_SERVICE_NAME or approvals>-<service>`.
      OTEL_SERVICE_NAME: `${process.env['OTEL_SERVICE_NAME'] ?? 'approvals'}-${service}`,
    };
    const grpcPort = grpcPorts.get(service);
    if (grpcPort !== undefined) env['APPROVALS_GRPC_PORT'] = String(grpcPort);
    const child = spawn(process.execPath, ['--enable-source-maps', join(__dirname, 'service-main.js'), service], { env, stdio: 'inherit' });
    child.once('error', (err) => {
      log.error({ service, err }, `${service} could not be started; stopping the others`);
      stopAll(1);
    });
    child.once('exit', (code, signal) => {
      if (stopping) return;
      log.error({ service, code, signal }, `${service} stopped unexpectedly; stopping the others`);
      stopAll(1);
    });
    children.set(service, child);
    return ready(service, child);
  };
  const [first, ...rest] = order;
  await start(first!);
  await Promise.all(rest.map(start));
  const address = (service: ServiceName) => `${config.host}:${grpcPorts.get(service)}`;
  log.info(
    { intake: address('intake'), decisions: address('notifier'), audit: address('audit-projector'), brokers: config.kafka.brokers },
    `approvals is ready (distributed mode, five processes): intake on ${address('intake')}, votes on ${address('notifier')}, audit on ${address('audit-projector')}. ` +
      `CLI: APPROVALS_DECISIONS_ADDRESS=${address('notifier')} APPROVALS_AUDIT_ADDRESS=${address('audit-projector')} npm run approvals -- ...`,
  );
}

main().catch((error: unknown) => {
  log.error(`distributed mode failed to start: ${error instanceof Error ? error.message : String(error)}`);
  stopAll(1);
});

/** The console session secret in `file`, made (random, readable by this user only) the first time. */
function consoleSecret(file: string): string {
  if (!existsSync(file)) {
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, randomBytes(32).toString('base64url'), { mode: 0o600, flag: 'wx' });
  }
  return readFileSync(file, 'utf8').trim();
}

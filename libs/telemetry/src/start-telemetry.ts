import { existsSync, readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { dirname, join } from 'node:path';
import type { DiagLogger } from '@opentelemetry/api';
import { DiagLogLevel, diag, metrics } from '@opentelemetry/api';
import { OTLPMetricExporter as OtlpGrpcMetricExporter } from '@opentelemetry/exporter-metrics-otlp-grpc';
import { OTLPMetricExporter as OtlpJsonMetricExporter } from '@opentelemetry/exporter-metrics-otlp-http';
import { OTLPMetricExporter as OtlpProtoMetricExporter } from '@opentelemetry/exporter-metrics-otlp-proto';
import { PrometheusExporter } from '@opentelemetry/exporter-prometheus';
import { GrpcInstrumentation } from '@opentelemetry/instrumentation-grpc';
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';
import { KafkaJsInstrumentation } from '@opentelemetry/instrumentation-kafkajs';
import { PgInstrumentation } from '@opentelemetry/instrumentation-pg';
import { PinoInstrumentation } from '@opentelemetry/instrumentation-pino';
import { UndiciInstrumentation } from '@opentelemetry/instrumentation-undici';
import type { Resource } from '@opentelemetry/resources';
import { defaultResource, detectResources, envDetector, hostDetector, processDetector, resourceFromAttributes } from '@opentelemetry/resources';
import type { IMetricReader, PushMetricExporter } from '@opentelemetry/sdk-metrics';
import { ConsoleMetricExporter, MeterProvider, PeriodicExportingMetricReader } from '@opentelemetry/sdk-metrics';
import { NodeSDK } from '@opentelemetry/sdk-node';
import type { TelemetrySettings } from './telemetry-settings';
import { telemetrySettings } from './telemetry-settings';
import { setTracingOn } from './tracing';

export { TelemetryConfigError } from './telemetry-settings';

// This module is loaded before anything it instruments: it must import no library of ours that
// pulls in grpc, http, kafkajs, pg or pino.

export interface TelemetryOptions {
  /** service.name unless OTEL_SERVICE_NAME says otherwise: `approvals` (embedded) or `approvals-<service>`. */
  serviceName: string;
  mode: 'embedded' | 'distributed';
  /**
   * A worker thread of a service (the audit projection): it records its own spans and leaves
   * metrics and instrumentation to the main thread.
   */
  workerThread?: boolean;
}

/** The running telemetry of this process (one per process, as the OpenTelemetry API is). */
export interface Telemetry {
  readonly serviceName: string;
  readonly mode: TelemetryOptions['mode'];
  readonly settings: TelemetrySettings;
  /** Serves /metrics when `prometheus` is among the metric exporters. */
  readonly prometheus: PrometheusExporter | undefined;
  /** Exports what is buffered and stops; safe to call more than once. */
  shutdown(): Promise<void>;
}

const OTLP_METRIC_EXPORTERS = {
  'http/protobuf': () => new OtlpProtoMetricExporter(),
  'http/json': () => new OtlpJsonMetricExporter(),
  grpc: () => new OtlpGrpcMetricExporter(),
} satisfies Record<TelemetrySettings['metricsProtocol'], () => PushMetricExporter>;

function metricReaders(settings: TelemetrySettings): { readers: IMetricReader[]; prometheus: PrometheusExporter | undefined } {
  const readers: IMetricReader[] = [];
  let prometheus: PrometheusExporter | undefined;
  const interval = settings.metricExportIntervalMs;
  const timeout = Math.min(settings.metricExportTimeoutMs, interval);
  for (const name of settings.metricExporters) {
    if (name === 'prometheus') {
      // Served by the service's own HTTP port on /metrics, not by a server of the exporter's.
      prometheus = new PrometheusExporter({ preventServerStart: true });
      readers.push(prometheus);
    } else {
      const exporter = name === 'otlp' ? OTLP_METRIC_EXPORTERS[settings.metricsProtocol]() : new ConsoleMetricExporter();
      readers.push(new PeriodicExportingMetricReader({ exporter, exportIntervalMillis: interval, exportTimeoutMillis: timeout }));
    }
  }
  return { readers, prometheus };
}

/** Our package's version, from the nearest package.json up from here (source and dist/ alike). */
function ourVersion(): string {
  for (let dir = __dirname; dir !== dirname(dir); dir = dirname(dir)) {
    const file = join(dir, 'package.json');
    if (!existsSync(file)) continue;
    const { name, version } = JSON.parse(readFileSync(file, 'utf8')) as { name?: string; version?: string };
    if (name === 'approvals' && version) return version;
  }
  return 'unknown';
}

function ourResource(options: TelemetryOptions): Resource {
  return resourceFromAttributes({
    // OTEL_SERVICE_NAME and OTEL_RESOURCE_ATTRIBUTES (the env detector) override these.
    'service.name': options.serviceName,
    'service.namespace': 'approvals',
    'service.version': ourVersion(),
    'service.instance.id': `${hostname()}-${process.pid}`,
    'approvals.mode': options.mode,
  });
}

/** Query parameters that carry credentials on our HTTP routes and the providers we call. */
const SECRET_QUERY_PARAMS = ['code', 'state', 'session_state', 'id_token', 'access_token', 'token', 'sig', 'signature', 'Signature', 'X-Amz-Signature', 'AWSAccessKeyId'];

/** Instrumentation from the official packages; loaded only when spans are recorded. */
function instrumentations() {
  const probes = new Set(['/healthz', '/readyz', '/metrics']);
  return [
    new HttpInstrumentation({
      ignoreIncomingRequestHook: (request) => probes.has((request.url ?? '').split('?')[0] ?? ''),
      // An OIDC callback's code, a signed URL's signature: never into a span.
      redactedQueryParams: SECRET_QUERY_PARAMS,
      redactedQueryParamsServer: SECRET_QUERY_PARAMS,
    }),
    // fetch(): deliveries to Slack, Teams and webhooks. Their URLs are credentials (a Teams workflow's
    // `sig`, a Slack response_url, a webhook's token): spans keep the origin only.
    new UndiciInstrumentation({
      requestHook: (span, request) => {
        span.setAttribute('url.full', `${request.origin}/REDACTED`);
        span.setAttribute('url.path', 'REDACTED');
        span.setAttribute('url.query', '');
      },
    }),
    new GrpcInstrumentation(),
    new KafkaJsInstrumentation(),
    // Polling loops (catch-up subscriptions, the projector) run outside any request: no orphan spans for them.
    new PgInstrumentation({ requireParentSpan: true, ignoreConnectSpans: true }),
    // Trace and span ids on every log line written inside a span; the lines still go to stdout only.
    new PinoInstrumentation({ disableLogSending: true }),
  ];
}

/** How long a stop waits for the last exports: an unreachable collector must not hold up a shutdown. */
const SHUTDOWN_DEADLINE_MS = 3000;

/**
 * The SDK's own complaints (an unreachable collector, a rejected export) as JSON lines on stderr,
 * like the services' logs, each message at most once a minute: export failures repeat with every batch.
 */
function jsonDiagLogger(): DiagLogger {
  const lastSaid = new Map<string, number>();
  const write = (level: number, message: string, args: unknown[]) => {
    const now = Date.now();
    const key = message.slice(0, 80);
    if ((lastSaid.get(key) ?? -Infinity) > now - 60_000) return;
    lastSaid.set(key, now);
    const detail = args.map((arg) => (arg instanceof Error ? arg.message : typeof arg === 'string' ? arg : JSON.stringify(arg))).join(' ');
    process.stderr.write(`${JSON.stringify({ level, time: now, name: 'opentelemetry', msg: detail ? `${message} ${detail}` : message })}\n`);
  };
  const quiet = () => undefined;
  return { error: (m, ...a) => write(50, m, a), warn: (m, ...a) => write(40, m, a), info: quiet, debug: quiet, verbose: quiet };
}

let active: Telemetry | undefined;

/** The telemetry started in this process, if any. */
export const activeTelemetry = (): Telemetry | undefined => active;

/**
 * Starts OpenTelemetry from the standard OTEL_* variables, before the instrumented libraries are
 * loaded (call it from the first import of a main). With tracing off no instrumentation is loaded
 * and no context manager is installed, so spans cost nothing; metrics still go to /metrics.
 * Throws TelemetryConfigError for a bad OTEL_* value.
 */
export function startTelemetry(options: TelemetryOptions): Telemetry {
  if (active) return active;
  const settings = telemetrySettings();
  if (settings.disabled) {
    active = { serviceName: options.serviceName, mode: options.mode, settings, prometheus: undefined, shutdown: async () => undefined };
    return active;
  }
  // OTEL_LOG_LEVEL, when set, is the SDK's own console logger (see NodeSDK); otherwise warnings and errors as JSON.
  if (!process.env['OTEL_LOG_LEVEL']) diag.setLogger(jsonDiagLogger(), { logLevel: DiagLogLevel.WARN, suppressOverrideMessage: true });
  const base = defaultResource().merge(ourResource(options));
  const { readers, prometheus } = options.workerThread ? { readers: [], prometheus: undefined } : metricReaders(settings);
  let stop: () => Promise<void>;
  setTracingOn(settings.tracing);
  if (settings.tracing) {
    const sdk = new NodeSDK({
      resource: base,
      resourceDetectors: [processDetector, hostDetector, envDetector],
      metricReaders: readers,
      // Logs stay on stdout (JSON, with trace ids); nothing is shipped as OpenTelemetry logs.
      logRecordProcessors: [],
      instrumentations: options.workerThread ? [] : instrumentations(),
    });
    sdk.start();
    stop = () => sdk.shutdown();
  } else if (readers.length > 0) {
    const provider = new MeterProvider({ resource: base.merge(detectResources({ detectors: [processDetector, hostDetector, envDetector] })), readers });
    metrics.setGlobalMeterProvider(provider);
    stop = () => provider.shutdown();
  } else {
    stop = async () => undefined;
  }
  let stopping: Promise<void> | undefined;
  active = {
    serviceName: options.serviceName,
    mode: options.mode,
    settings,
    prometheus,
    shutdown: () =>
      (stopping ??= Promise.race([stop().catch(() => undefined), new Promise<void>((resolve) => setTimeout(resolve, SHUTDOWN_DEADLINE_MS).unref())])),
  };
  return active;
}

import { z } from 'zod';

/** A bad OTEL_* variable: the message names it and the values it takes. */
export class TelemetryConfigError extends Error {
  override readonly name = 'TelemetryConfigError';
}

/** What the OTEL_* environment asks of this process. */
export interface TelemetrySettings {
  /** OTEL_SDK_DISABLED=true: no traces, no metrics, no /metrics. */
  disabled: boolean;
  /** Spans are recorded and exported (the instrumentations are loaded only then). */
  tracing: boolean;
  /** Where metrics go: served on /metrics (`prometheus`), pushed over OTLP, printed. */
  metricExporters: readonly MetricExporterName[];
  /** The OTLP encoding for metrics (traces: the SDK reads the same variables itself). */
  metricsProtocol: OtlpProtocol;
  /** OTEL_METRIC_EXPORT_INTERVAL / _TIMEOUT: how often metrics are pushed, and how long one push may take. */
  metricExportIntervalMs: number;
  metricExportTimeoutMs: number;
}

const traceExporters = ['otlp', 'console', 'zipkin', 'none'] as const;
const metricExporters = ['otlp', 'prometheus', 'console', 'none'] as const;
const protocols = ['http/protobuf', 'http/json', 'grpc'] as const;
const samplers = [
  'always_on',
  'always_off',
  'traceidratio',
  'parentbased_always_on',
  'parentbased_always_off',
  'parentbased_traceidratio',
] as const;

export type MetricExporterName = Exclude<(typeof metricExporters)[number], 'none'>;
export type OtlpProtocol = (typeof protocols)[number];

const list = (value: string | undefined): string[] =>
  (value ?? '')
    .split(',')
    .map((item) => item.trim().toLowerCase())
    .filter((item) => item.length > 0);

function oneOfEach<T extends string>(variable: string, value: string | undefined, allowed: readonly T[]): T[] {
  const items = list(value);
  const bad = items.filter((item) => !(allowed as readonly string[]).includes(item));
  if (bad.length > 0) throw new TelemetryConfigError(`${variable}: unknown value ${bad.map((b) => `"${b}"`).join(', ')}; use ${allowed.join(', ')}`);
  return items as T[];
}

function positiveMs(variable: string, value: string | undefined, fallback: number): number {
  if (value === undefined || value.trim() === '') return fallback;
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed <= 0) throw new TelemetryConfigError(`${variable}: "${value}" is not a positive number of milliseconds`);
  return parsed;
}

function oneOf<T extends string>(variable: string, value: string | undefined, allowed: readonly T[], fallback: T): T {
  const trimmed = value?.trim().toLowerCase();
  if (!trimmed) return fallback;
  const parsed = z.enum(allowed as unknown as [T, ...T[]]).safeParse(trimmed);
  if (!parsed.success) throw new TelemetryConfigError(`${variable}: unknown value "${trimmed}"; use ${allowed.join(', ')}`);
  return parsed.data;
}

/**
 * Reads the standard OTEL_* variables. One departure from the specification's defaults, so a
 * laptop without a collector gets no export errors: traces are exported only when an exporter or
 * an OTLP endpoint is named (OTEL_TRACES_EXPORTER, OTEL_EXPORTER_OTLP_[TRACES_]ENDPOINT); metrics
 * are always served on /metrics and also pushed over OTLP when an endpoint is named.
 */
export function telemetrySettings(env: NodeJS.ProcessEnv = process.env): TelemetrySettings {
  const disabled = oneOf('OTEL_SDK_DISABLED', env['OTEL_SDK_DISABLED'], ['true', 'false'], 'false') === 'true';
  const tracesExporters = oneOfEach('OTEL_TRACES_EXPORTER', env['OTEL_TRACES_EXPORTER'], traceExporters);
  const metrics = oneOfEach('OTEL_METRICS_EXPORTER', env['OTEL_METRICS_EXPORTER'], metricExporters);
  oneOf('OTEL_EXPORTER_OTLP_PROTOCOL', env['OTEL_EXPORTER_OTLP_PROTOCOL'], protocols, 'http/protobuf');
  oneOf('OTEL_EXPORTER_OTLP_TRACES_PROTOCOL', env['OTEL_EXPORTER_OTLP_TRACES_PROTOCOL'], protocols, 'http/protobuf');
  const metricsProtocol = oneOf(
    'OTEL_EXPORTER_OTLP_METRICS_PROTOCOL',
    env['OTEL_EXPORTER_OTLP_METRICS_PROTOCOL'] ?? env['OTEL_EXPORTER_OTLP_PROTOCOL'],
    protocols,
    'http/protobuf',
  );
  oneOf('OTEL_TRACES_SAMPLER', env['OTEL_TRACES_SAMPLER'], samplers, 'parentbased_always_on');
  const ratio = env['OTEL_TRACES_SAMPLER_ARG'];
  if (ratio !== undefined && ratio.trim() !== '' && !(Number(ratio) >= 0 && Number(ratio) <= 1)) {
    throw new TelemetryConfigError(`OTEL_TRACES_SAMPLER_ARG: "${ratio}" is not a sampling ratio between 0 and 1`);
  }
  const metricExportIntervalMs = positiveMs('OTEL_METRIC_EXPORT_INTERVAL', env['OTEL_METRIC_EXPORT_INTERVAL'], 60_000);
  const metricExportTimeoutMs = positiveMs('OTEL_METRIC_EXPORT_TIMEOUT', env['OTEL_METRIC_EXPORT_TIMEOUT'], 30_000);
  const intervals = { metricExportIntervalMs, metricExportTimeoutMs };
  if (disabled) return { disabled, tracing: false, metricExporters: [], metricsProtocol, ...intervals };

  const endpoint = (name: string) => Boolean(env[name]?.trim());
  const tracing =
    tracesExporters.length > 0 ? !tracesExporters.includes('none') : endpoint('OTEL_EXPORTER_OTLP_ENDPOINT') || endpoint('OTEL_EXPORTER_OTLP_TRACES_ENDPOINT');
  const chosen =
    metrics.length > 0
      ? metrics
      : ['prometheus' as const, ...(endpoint('OTEL_EXPORTER_OTLP_ENDPOINT') || endpoint('OTEL_EXPORTER_OTLP_METRICS_ENDPOINT') ? ['otlp' as const] : [])];
  return {
    disabled,
    tracing,
    metricExporters: chosen.includes('none') ? [] : chosen.filter((name): name is MetricExporterName => name !== 'none'),
    metricsProtocol,
    ...intervals,
  };
}

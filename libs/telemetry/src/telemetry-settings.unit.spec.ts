import { TelemetryConfigError, telemetrySettings } from './telemetry-settings';

describe('telemetrySettings', () => {
  it('records no spans and serves metrics on /metrics when nothing is configured', () => {
    expect(telemetrySettings({})).toEqual({
      disabled: false,
      tracing: false,
      metricExporters: ['prometheus'],
      metricsProtocol: 'http/protobuf',
      metricExportIntervalMs: 60_000,
      metricExportTimeoutMs: 30_000,
    });
  });

  it('traces and pushes metrics over OTLP once an endpoint is named', () => {
    expect(telemetrySettings({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318' })).toMatchObject({ tracing: true, metricExporters: ['prometheus', 'otlp'] });
    expect(telemetrySettings({ OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://collector:4318/v1/traces' })).toMatchObject({ tracing: true, metricExporters: ['prometheus'] });
  });

  it('follows OTEL_TRACES_EXPORTER and OTEL_METRICS_EXPORTER when they are set', () => {
    expect(telemetrySettings({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318', OTEL_TRACES_EXPORTER: 'none' })).toMatchObject({ tracing: false });
    expect(telemetrySettings({ OTEL_TRACES_EXPORTER: 'console' })).toMatchObject({ tracing: true });
    expect(telemetrySettings({ OTEL_METRICS_EXPORTER: 'otlp, console' })).toMatchObject({ metricExporters: ['otlp', 'console'] });
    expect(telemetrySettings({ OTEL_METRICS_EXPORTER: 'none' })).toMatchObject({ metricExporters: [] });
    expect(telemetrySettings({ OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json' })).toMatchObject({ metricsProtocol: 'http/json' });
    expect(telemetrySettings({ OTEL_METRIC_EXPORT_INTERVAL: '1000', OTEL_METRIC_EXPORT_TIMEOUT: '500' })).toMatchObject({ metricExportIntervalMs: 1000, metricExportTimeoutMs: 500 });
    expect(telemetrySettings({ OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json', OTEL_EXPORTER_OTLP_METRICS_PROTOCOL: 'grpc' })).toMatchObject({ metricsProtocol: 'grpc' });
  });

  it('turns everything off with OTEL_SDK_DISABLED=true, whatever else is set', () => {
    expect(telemetrySettings({ OTEL_SDK_DISABLED: 'true', OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318', OTEL_TRACES_EXPORTER: 'otlp' })).toMatchObject({
      disabled: true,
      tracing: false,
      metricExporters: [],
    });
  });

  it.each([
    [{ OTEL_TRACES_EXPORTER: 'jaegr' }, 'OTEL_TRACES_EXPORTER: unknown value "jaegr"; use otlp, console, zipkin, none'],
    [{ OTEL_METRICS_EXPORTER: 'prometheus,statsd' }, 'OTEL_METRICS_EXPORTER: unknown value "statsd"'],
    [{ OTEL_EXPORTER_OTLP_PROTOCOL: 'http' }, 'OTEL_EXPORTER_OTLP_PROTOCOL: unknown value "http"; use http/protobuf, http/json, grpc'],
    [{ OTEL_TRACES_SAMPLER: 'sometimes' }, 'OTEL_TRACES_SAMPLER: unknown value "sometimes"'],
    [{ OTEL_TRACES_SAMPLER_ARG: '1.5' }, 'OTEL_TRACES_SAMPLER_ARG: "1.5" is not a sampling ratio between 0 and 1'],
    [{ OTEL_SDK_DISABLED: 'yes' }, 'OTEL_SDK_DISABLED: unknown value "yes"; use true, false'],
    [{ OTEL_METRIC_EXPORT_INTERVAL: '10s' }, 'OTEL_METRIC_EXPORT_INTERVAL: "10s" is not a positive number of milliseconds'],
    [{ OTEL_METRIC_EXPORT_TIMEOUT: '-1' }, 'OTEL_METRIC_EXPORT_TIMEOUT: "-1" is not a positive number of milliseconds'],
  ])('refuses %j with a message naming the variable', (env, message) => {
    expect(() => telemetrySettings(env)).toThrow(TelemetryConfigError);
    expect(() => telemetrySettings(env)).toThrow(message);
  });
});

import { context, metrics, propagation, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import type { DataPoint, Histogram, MetricData } from '@opentelemetry/sdk-metrics';
import { AggregationTemporality, InMemoryMetricExporter, MeterProvider, PeriodicExportingMetricReader } from '@opentelemetry/sdk-metrics';
import type { ReadableSpan } from '@opentelemetry/sdk-trace';
import { InMemorySpanExporter, SimpleSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';
import { setTracingOn } from '@approvals/telemetry';

/**
 * The OpenTelemetry SDK wired in memory for unit tests: spans and metrics as the SDK records
 * them, W3C propagation and an async context manager, as a started service has. Register it once
 * per test file (the API's globals are per process).
 */
export class InMemoryTelemetry {
  private readonly spanExporter = new InMemorySpanExporter();
  private readonly metricExporter = new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE);
  private readonly reader = new PeriodicExportingMetricReader({ exporter: this.metricExporter, exportIntervalMillis: 3_600_000 });
  private readonly tracerProvider = new TracerProvider({ spanProcessors: [new SimpleSpanProcessor({ exporter: this.spanExporter })] });
  private readonly meterProvider = new MeterProvider({ readers: [this.reader] });

  static register(): InMemoryTelemetry {
    const telemetry = new InMemoryTelemetry();
    context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
    propagation.setGlobalPropagator(new W3CTraceContextPropagator());
    trace.setGlobalTracerProvider(telemetry.tracerProvider);
    metrics.setGlobalMeterProvider(telemetry.meterProvider);
    setTracingOn(true);
    return telemetry;
  }

  /** Ended spans, oldest first. */
  get spans(): ReadableSpan[] {
    return this.spanExporter.getFinishedSpans();
  }

  reset(): void {
    this.spanExporter.reset();
  }

  /** The metric's data points as of now. */
  async points(name: string): Promise<DataPoint<number | Histogram>[]> {
    this.metricExporter.reset();
    await this.reader.forceFlush();
    const all: MetricData[] = this.metricExporter.getMetrics().flatMap((resource) => resource.scopeMetrics.flatMap((scope) => scope.metrics));
    return all.filter((metric) => metric.descriptor.name === name).flatMap((metric) => metric.dataPoints as DataPoint<number | Histogram>[]);
  }

  async shutdown(): Promise<void> {
    await this.tracerProvider.shutdown();
    await this.meterProvider.shutdown();
    setTracingOn(false);
    trace.disable();
    metrics.disable();
    propagation.disable();
    context.disable();
  }
}

import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gunzipSync } from 'node:zlib';
import { parse, type Type } from 'protobufjs';

/**
 * A real OTLP/HTTP receiver on loopback, for tests that start a server with
 * OTEL_EXPORTER_OTLP_ENDPOINT pointing here and check what it exports. It takes POST /v1/traces,
 * /v1/metrics and /v1/logs as the OpenTelemetry exporters send them (http/protobuf or http/json,
 * optionally gzip), turns spans and metrics of both encodings into one plain model, and answers
 * as a collector does: 200 with an empty response, 400 (kept in `errors`) for a body it cannot
 * decode. Logs are checked for well-formedness but not kept.
 */

/** A span as received, whatever the encoding: ids in lower-case hex, times in Unix nanoseconds. */
export interface ReceivedSpan {
  traceId: string;
  spanId: string;
  /** '' for a root span. */
  parentSpanId: string;
  name: string;
  /** OTLP SpanKind: 1 internal, 2 server, 3 client, 4 producer, 5 consumer (the API's value + 1). */
  kind: number;
  startTimeUnixNano: bigint;
  endTimeUnixNano: bigint;
  attributes: Record<string, unknown>;
  events: { name: string; timeUnixNano: bigint; attributes: Record<string, unknown> }[];
  links: { traceId: string; spanId: string; attributes: Record<string, unknown> }[];
  /** OTLP StatusCode: 0 unset, 1 ok, 2 error. */
  status: { code: number; message?: string };
  resource: Record<string, unknown>;
  scope: { name: string; version?: string };
}

/** One data point of a received metric; which fields are set depends on the metric's kind. */
export interface ReceivedMetricPoint {
  attributes: Record<string, unknown>;
  value?: number;
  count?: number;
  sum?: number;
  bucketCounts?: number[];
  explicitBounds?: number[];
}

/** A metric as received in one export, whatever the encoding. */
export interface ReceivedMetric {
  name: string;
  description: string;
  unit: string;
  kind: 'gauge' | 'sum' | 'histogram' | 'exponentialHistogram';
  points: ReceivedMetricPoint[];
  resource: Record<string, unknown>;
  scope: { name: string; version?: string };
}

/** One request the receiver answered, with its media type (no parameters) and Content-Encoding. */
export interface ReceivedRequest {
  path: string;
  contentType: string;
  encoding: string;
}

// The subset of opentelemetry-proto v1 we read, field numbers as in common.proto, resource.proto,
// trace.proto, metrics.proto and the collector services. Enums are declared int32, the same on the
// wire; fields left out (exemplars, exponential buckets, summaries) are skipped by the decoder.
const OTLP_PROTO = `
syntax = "proto3";
package otlp;
message AnyValue {
  oneof value {
    string string_value = 1; bool bool_value = 2; int64 int_value = 3; double double_value = 4;
    ArrayValue array_value = 5; KeyValueList kvlist_value = 6; bytes bytes_value = 7;
  }
}
message ArrayValue { repeated AnyValue values = 1; }
message KeyValueList { repeated KeyValue values = 1; }
message KeyValue { string key = 1; AnyValue value = 2; }
message InstrumentationScope { string name = 1; string version = 2; repeated KeyValue attributes = 3; uint32 dropped_attributes_count = 4; }
message Resource { repeated KeyValue attributes = 1; uint32 dropped_attributes_count = 2; }

message ExportTraceServiceRequest { repeated ResourceSpans resource_spans = 1; }
message ResourceSpans { Resource resource = 1; repeated ScopeSpans scope_spans = 2; string schema_url = 3; }
message ScopeSpans { InstrumentationScope scope = 1; repeated Span spans = 2; string schema_url = 3; }
message Span {
  bytes trace_id = 1; bytes span_id = 2; string trace_state = 3; bytes parent_span_id = 4; fixed32 flags = 16;
  string name = 5; int32 kind = 6; fixed64 start_time_unix_nano = 7; fixed64 end_time_unix_nano = 8;
  repeated KeyValue attributes = 9; uint32 dropped_attributes_count = 10;
  repeated Event events = 11; uint32 dropped_events_count = 12;
  repeated Link links = 13; uint32 dropped_links_count = 14;
  SpanStatus status = 15;
  message Event { fixed64 time_unix_nano = 1; string name = 2; repeated KeyValue attributes = 3; uint32 dropped_attributes_count = 4; }
  message Link { bytes trace_id = 1; bytes span_id = 2; string trace_state = 3; repeated KeyValue attributes = 4; uint32 dropped_attributes_count = 5; fixed32 flags = 6; }
}
message SpanStatus { string message = 2; int32 code = 3; }

message ExportMetricsServiceRequest { repeated ResourceMetrics resource_metrics = 1; }
message ResourceMetrics { Resource resource = 1; repeated ScopeMetrics scope_metrics = 2; string schema_url = 3; }
message ScopeMetrics { InstrumentationScope scope = 1; repeated Metric metrics = 2; string schema_url = 3; }
message Metric {
  string name = 1; string description = 2; string unit = 3;
  oneof data { Gauge gauge = 5; Sum sum = 7; Histogram histogram = 9; ExponentialHistogram exponential_histogram = 10; }
}
message Gauge { repeated NumberDataPoint data_points = 1; }
message Sum { repeated NumberDataPoint data_points = 1; int32 aggregation_temporality = 2; bool is_monotonic = 3; }
message Histogram { repeated HistogramDataPoint data_points = 1; int32 aggregation_temporality = 2; }
message ExponentialHistogram { repeated ExponentialHistogramDataPoint data_points = 1; int32 aggregation_temporality = 2; }
message NumberDataPoint {
  repeated KeyValue attributes = 7; fixed64 start_time_unix_nano = 2; fixed64 time_unix_nano = 3;
  oneof value { double as_double = 4; sfixed64 as_int = 6; }
  uint32 flags = 8;
}
message HistogramDataPoint {
  repeated KeyValue attributes = 9; fixed64 start_time_unix_nano = 2; fixed64 time_unix_nano = 3;
  fixed64 count = 4; optional double sum = 5; repeated fixed64 bucket_counts = 6; repeated double explicit_bounds = 7;
  uint32 flags = 10; optional double min = 11; optional double max = 12;
}
message ExponentialHistogramDataPoint {
  repeated KeyValue attributes = 1; fixed64 start_time_unix_nano = 2; fixed64 time_unix_nano = 3;
  fixed64 count = 4; optional double sum = 5; sint32 scale = 6; fixed64 zero_count = 7;
  uint32 flags = 10; optional double min = 12; optional double max = 13;
}

message ExportLogsServiceRequest {}
message RpcStatus { int32 code = 1; string message = 2; }
`;

const proto = parse(OTLP_PROTO).root;
const requestTypes: Record<string, Type> = {
  '/v1/traces': proto.lookupType('otlp.ExportTraceServiceRequest'),
  '/v1/metrics': proto.lookupType('otlp.ExportMetricsServiceRequest'),
  '/v1/logs': proto.lookupType('otlp.ExportLogsServiceRequest'),
};
const rpcStatus = proto.lookupType('otlp.RpcStatus');

// Both encodings are read into this shape: protobuf through toObject (int64 as strings, bytes as
// Uint8Array), JSON as sent (int64 as strings or numbers, ids in hex, bytes in base64).
type Int64 = string | number;
type Bytes = string | Uint8Array;
type Attributes = { key?: string; value?: AnyValue }[];
interface AnyValue {
  stringValue?: string;
  boolValue?: boolean;
  intValue?: Int64;
  doubleValue?: number | string;
  arrayValue?: { values?: AnyValue[] };
  kvlistValue?: { values?: Attributes };
  bytesValue?: Bytes;
}
interface Scope {
  name?: string;
  version?: string;
}
interface Resource {
  attributes?: Attributes;
}
interface Span {
  traceId?: Bytes;
  spanId?: Bytes;
  parentSpanId?: Bytes;
  name?: string;
  kind?: number;
  startTimeUnixNano?: Int64;
  endTimeUnixNano?: Int64;
  attributes?: Attributes;
  events?: { name?: string; timeUnixNano?: Int64; attributes?: Attributes }[];
  links?: { traceId?: Bytes; spanId?: Bytes; attributes?: Attributes }[];
  status?: { code?: number; message?: string };
}
interface NumberPoint {
  attributes?: Attributes;
  asDouble?: number | string;
  asInt?: Int64;
}
interface HistogramPoint {
  attributes?: Attributes;
  count?: Int64;
  sum?: number | string;
  bucketCounts?: Int64[];
  explicitBounds?: (number | string)[];
}
interface Metric {
  name?: string;
  description?: string;
  unit?: string;
  gauge?: { dataPoints?: NumberPoint[] };
  sum?: { dataPoints?: NumberPoint[] };
  histogram?: { dataPoints?: HistogramPoint[] };
  exponentialHistogram?: { dataPoints?: HistogramPoint[] };
}
interface ExportRequest {
  resourceSpans?: { resource?: Resource; scopeSpans?: { scope?: Scope; spans?: Span[] }[] }[];
  resourceMetrics?: { resource?: Resource; scopeMetrics?: { scope?: Scope; metrics?: Metric[] }[] }[];
}

/** A loopback OTLP/HTTP receiver that keeps every span and metric it is sent. */
export class OtlpReceiver {
  readonly spans: ReceivedSpan[] = [];
  /** Every metric of every export, in arrival order (a periodic reader sends the same metric again). */
  readonly metrics: ReceivedMetric[] = [];
  readonly requests: ReceivedRequest[] = [];
  /** Why each rejected request was rejected. */
  readonly errors: string[] = [];
  private readonly waiters = new Set<() => void>();

  private constructor(private readonly server: Server) {
    server.on('request', (request: IncomingMessage, response: ServerResponse) => void this.handle(request, response));
  }

  /** Listens on 127.0.0.1 on a free port. */
  static async start(): Promise<OtlpReceiver> {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return new OtlpReceiver(server);
  }

  /** The base URL for OTEL_EXPORTER_OTLP_ENDPOINT; signal paths go after it (`/v1/traces`). */
  get endpoint(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async close(): Promise<void> {
    // Exporters keep connections alive; without this, close() waits for them to time out.
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  /** Forgets everything received so far. */
  reset(): void {
    for (const list of [this.spans, this.metrics, this.requests, this.errors]) list.length = 0;
  }

  spansOfTrace(traceId: string): ReceivedSpan[] {
    return this.spans.filter((span) => span.traceId === traceId.toLowerCase());
  }

  /** Resolves with all spans received once `predicate` holds for them; rejects after the deadline. */
  waitForSpans(predicate: (spans: ReceivedSpan[]) => boolean, timeoutMs = 15_000): Promise<ReceivedSpan[]> {
    return this.waitFor(
      () => (predicate([...this.spans]) ? [...this.spans] : undefined),
      timeoutMs,
      () => `No matching spans within ${timeoutMs} ms; ${this.spans.length} arrived:${this.spans.map(describeSpan).join('')}`,
    );
  }

  /** Resolves with the latest metric called `name` that satisfies `predicate`; rejects after the deadline. */
  waitForMetric(name: string, predicate: (metric: ReceivedMetric) => boolean = () => true, timeoutMs = 15_000): Promise<ReceivedMetric> {
    return this.waitFor(
      () => this.metrics.findLast((metric) => metric.name === name && predicate(metric)),
      timeoutMs,
      () => {
        const latest = new Map(this.metrics.map((metric) => [metric.name, metric]));
        return `No matching metric '${name}' within ${timeoutMs} ms; ${latest.size} distinct arrived (latest of each):${[...latest.values()].map(describeMetric).join('')}`;
      },
    );
  }

  private waitFor<T>(find: () => T | undefined, timeoutMs: number, describe: () => string): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const check = (): void => {
        try {
          const found = find();
          if (found !== undefined) settle(() => resolve(found));
        } catch (error) {
          settle(() => reject(error));
        }
      };
      const timer = setTimeout(() => {
        const rejected = this.errors.length ? `\nRejected requests:\n  ${this.errors.join('\n  ')}` : '';
        settle(() => reject(new Error(describe() + rejected)));
      }, timeoutMs);
      const settle = (done: () => void): void => {
        clearTimeout(timer);
        this.waiters.delete(check);
        done();
      };
      this.waiters.add(check);
      check();
    });
  }

  private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const path = (request.url ?? '').split('?')[0] ?? '';
    const type = requestTypes[path];
    if (request.method !== 'POST' || !type) {
      response.writeHead(404).end();
      return;
    }
    const contentType = (request.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
    const encoding = (request.headers['content-encoding'] ?? 'identity').toLowerCase();
    this.requests.push({ path, contentType, encoding });
    const json = contentType === 'application/json';
    if (!json && contentType !== 'application/x-protobuf') {
      this.reject(response, 415, json, `${path}: unsupported Content-Type '${contentType}'`);
      return;
    }
    let body: ExportRequest;
    try {
      body = decode(await readBody(request, encoding), type, json);
    } catch (error) {
      this.reject(response, 400, json, `${path} (${contentType}, ${encoding}): ${error instanceof Error ? error.message : String(error)}`);
      return;
    }
    this.spans.push(...toSpans(body));
    this.metrics.push(...toMetrics(body));
    response.writeHead(200, { 'content-type': contentType }).end(json ? '{}' : undefined);
    for (const waiter of [...this.waiters]) waiter();
  }

  private reject(response: ServerResponse, status: number, json: boolean, message: string): void {
    this.errors.push(message);
    // The body is a google.rpc.Status, as the OTLP/HTTP spec asks (code 3 is INVALID_ARGUMENT).
    const payload = { code: 3, message };
    response
      .writeHead(status, { 'content-type': json ? 'application/json' : 'application/x-protobuf' })
      .end(json ? JSON.stringify(payload) : rpcStatus.encode(rpcStatus.fromObject(payload)).finish());
  }
}

async function readBody(request: IncomingMessage, encoding: string): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  const body = Buffer.concat(chunks);
  if (encoding === 'gzip') return gunzipSync(body);
  if (encoding === 'identity') return body;
  throw new Error(`unsupported Content-Encoding '${encoding}'`);
}

function decode(body: Buffer, type: Type, json: boolean): ExportRequest {
  if (!json) return type.toObject(type.decode(body), { longs: String }) as ExportRequest;
  const parsed: unknown = JSON.parse(body.toString('utf8'));
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error('the JSON body is not an object');
  return camelCaseKeys(parsed) as ExportRequest;
}

// The proto3 JSON mapping lets senders use the proto field names too (trace_id for traceId).
function camelCaseKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(camelCaseKeys);
  if (typeof value !== 'object' || value === null) return value;
  return Object.fromEntries(Object.entries(value).map(([key, inner]) => [key.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase()), camelCaseKeys(inner)]));
}

function toSpans(request: ExportRequest): ReceivedSpan[] {
  return (request.resourceSpans ?? []).flatMap(({ resource, scopeSpans }) =>
    (scopeSpans ?? []).flatMap(({ scope, spans }) =>
      (spans ?? []).map((span) => ({
        traceId: hex(span.traceId),
        spanId: hex(span.spanId),
        parentSpanId: hex(span.parentSpanId),
        name: span.name ?? '',
        kind: span.kind ?? 0,
        startTimeUnixNano: BigInt(span.startTimeUnixNano ?? 0),
        endTimeUnixNano: BigInt(span.endTimeUnixNano ?? 0),
        attributes: attributes(span.attributes),
        events: (span.events ?? []).map((event) => ({ name: event.name ?? '', timeUnixNano: BigInt(event.timeUnixNano ?? 0), attributes: attributes(event.attributes) })),
        links: (span.links ?? []).map((link) => ({ traceId: hex(link.traceId), spanId: hex(link.spanId), attributes: attributes(link.attributes) })),
        status: { code: span.status?.code ?? 0, ...(span.status?.message ? { message: span.status.message } : {}) },
        resource: attributes(resource?.attributes),
        scope: toScope(scope),
      })),
    ),
  );
}

function toMetrics(request: ExportRequest): ReceivedMetric[] {
  return (request.resourceMetrics ?? []).flatMap(({ resource, scopeMetrics }) =>
    (scopeMetrics ?? []).flatMap(({ scope, metrics }) =>
      (metrics ?? []).flatMap((metric): ReceivedMetric[] => {
        const [kind, points] = dataOf(metric) ?? [];
        if (!kind || !points) return [];
        const { name = '', description = '', unit = '' } = metric;
        return [{ name, description, unit, kind, points, resource: attributes(resource?.attributes), scope: toScope(scope) }];
      }),
    ),
  );
}

function dataOf(metric: Metric): [ReceivedMetric['kind'], ReceivedMetricPoint[]] | undefined {
  const number = (point: NumberPoint): ReceivedMetricPoint => ({ attributes: attributes(point.attributes), value: Number(point.asDouble ?? point.asInt ?? 0) });
  const histogram = (point: HistogramPoint): ReceivedMetricPoint => ({
    attributes: attributes(point.attributes),
    count: Number(point.count ?? 0),
    ...(point.sum === undefined ? {} : { sum: Number(point.sum) }),
    ...(point.bucketCounts ? { bucketCounts: point.bucketCounts.map(Number) } : {}),
    ...(point.explicitBounds ? { explicitBounds: point.explicitBounds.map(Number) } : {}),
  });
  if (metric.gauge) return ['gauge', (metric.gauge.dataPoints ?? []).map(number)];
  if (metric.sum) return ['sum', (metric.sum.dataPoints ?? []).map(number)];
  if (metric.histogram) return ['histogram', (metric.histogram.dataPoints ?? []).map(histogram)];
  if (metric.exponentialHistogram) return ['exponentialHistogram', (metric.exponentialHistogram.dataPoints ?? []).map(histogram)];
  // A summary: the OpenTelemetry JS SDK never sends one.
  return undefined;
}

function toScope(scope: Scope | undefined): { name: string; version?: string } {
  return { name: scope?.name ?? '', ...(scope?.version ? { version: scope.version } : {}) };
}

// Protobuf carries ids as bytes; OTLP/JSON carries them as hex strings.
function hex(id: Bytes | undefined): string {
  if (id === undefined) return '';
  return typeof id === 'string' ? id.toLowerCase() : Buffer.from(id).toString('hex');
}

function attributes(list: Attributes | undefined): Record<string, unknown> {
  return Object.fromEntries((list ?? []).map(({ key, value }) => [key ?? '', anyValue(value)]));
}

function anyValue(value: AnyValue | undefined): unknown {
  if (!value) return undefined;
  if (value.stringValue !== undefined) return value.stringValue;
  if (value.boolValue !== undefined) return value.boolValue;
  if (value.intValue !== undefined) return Number(value.intValue);
  if (value.doubleValue !== undefined) return Number(value.doubleValue);
  if (value.arrayValue) return (value.arrayValue.values ?? []).map(anyValue);
  if (value.kvlistValue) return attributes(value.kvlistValue.values);
  if (value.bytesValue !== undefined) return Uint8Array.from(typeof value.bytesValue === 'string' ? Buffer.from(value.bytesValue, 'base64') : value.bytesValue);
  return undefined;
}

function describeSpan(span: ReceivedSpan): string {
  return `\n  - '${span.name}' kind ${span.kind} trace ${span.traceId} span ${span.spanId} parent ${span.parentSpanId || '-'} status ${span.status.code} service '${String(span.resource['service.name'])}'`;
}

function describeMetric(metric: ReceivedMetric): string {
  return `\n  - '${metric.name}' (${metric.kind}) ${JSON.stringify(metric.points)}`;
}

import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { OtlpReceiver, type ReceivedSpan } from './otlp-receiver';
import { repoRoot } from './server-process';

// The receiver is only worth something if it reads what the real exporters send, so every case goes
// through the official OpenTelemetry JS SDK and exporters. They run in a child Node process, as the
// servers do in the e2e tests: the exporters load node:http with a dynamic import(), which Jest's
// module sandbox rejects (open-telemetry/opentelemetry-js#6035).
const SENDER = `
const { context, diag, trace, DiagConsoleLogger, DiagLogLevel, SpanKind, SpanStatusCode, ValueType } = require('@opentelemetry/api');
const { resourceFromAttributes } = require('@opentelemetry/resources');
const { InMemorySpanExporter, SimpleSpanProcessor, TracerProvider } = require('@opentelemetry/sdk-trace');
const { AggregationType, MeterProvider, PeriodicExportingMetricReader } = require('@opentelemetry/sdk-metrics');
const { signal, exporterPackage, url, compression } = JSON.parse(process.argv[1]);
diag.setLogger(new DiagConsoleLogger(), DiagLogLevel.WARN);
const resource = resourceFromAttributes({ 'service.name': 'approvals-api', 'service.version': '1.4.0', 'deployment.environment.name': 'test' });

async function traces() {
  const { OTLPTraceExporter } = require(exporterPackage);
  const recorded = new InMemorySpanExporter();
  const exporter = new OTLPTraceExporter({ url, compression });
  const provider = new TracerProvider({ resource, spanProcessors: [new SimpleSpanProcessor({ exporter: recorded }), new SimpleSpanProcessor({ exporter })] });
  const tracer = provider.getTracer('approvals.http', '2.0.1');
  const other = tracer.startSpan('poll inbox', { kind: SpanKind.CONSUMER });
  other.end();
  const parent = tracer.startSpan('POST /approvals', {
    kind: SpanKind.SERVER,
    attributes: { 'http.request.method': 'POST', 'http.response.status_code': 201, 'approval.urgent': true, 'approval.score': 0.75, 'approval.tags': ['a', 'b'] },
  });
  const links = [{ context: other.spanContext(), attributes: { 'link.reason': 'triggered-by' } }];
  const child = tracer.startSpan('ledger.append', { kind: SpanKind.CLIENT, attributes: { 'db.operation.batch.size': 3 }, links }, trace.setSpan(context.active(), parent));
  child.addEvent('retry', { attempt: 2 });
  child.setStatus({ code: SpanStatusCode.ERROR, message: 'version conflict' });
  child.end();
  parent.end();
  await provider.forceFlush();
  const nanos = ([seconds, nanoseconds]) => String(BigInt(seconds) * 1000000000n + BigInt(Math.trunc(nanoseconds)));
  // The SDK's own record of each span, in the receiver's model.
  const sent = recorded.getFinishedSpans().map((span) => ({
    traceId: span.spanContext().traceId,
    spanId: span.spanContext().spanId,
    parentSpanId: span.parentSpanContext?.spanId ?? '',
    name: span.name,
    kind: span.kind + 1,
    startTimeUnixNano: nanos(span.startTime),
    endTimeUnixNano: nanos(span.endTime),
    attributes: span.attributes,
    events: span.events.map((event) => ({ name: event.name, timeUnixNano: nanos(event.time), attributes: event.attributes })),
    links: span.links.map((link) => ({ traceId: link.context.traceId, spanId: link.context.spanId, attributes: link.attributes })),
    status: span.status,
    resource: span.resource.attributes,
    scope: { name: span.instrumentationScope.name, version: span.instrumentationScope.version },
  }));
  await provider.shutdown();
  return sent;
}

async function metrics() {
  const { OTLPMetricExporter } = require(exporterPackage);
  const exporter = new OTLPMetricExporter({ url, compression });
  const reader = new PeriodicExportingMetricReader({ exporter, exportIntervalMillis: 60000 });
  const views = [{ instrumentName: 'approvals.payload.size', aggregation: { type: AggregationType.EXPONENTIAL_HISTOGRAM } }];
  const provider = new MeterProvider({ resource, readers: [reader], views });
  const meter = provider.getMeter('approvals.metrics', '1.0.0');
  const decisions = meter.createCounter('approvals.decisions', { description: 'Decisions taken', unit: '{decision}', valueType: ValueType.INT });
  decisions.add(2, { outcome: 'approved' });
  decisions.add(3, { outcome: 'approved' });
  decisions.add(1, { outcome: 'denied', urgent: true });
  const latency = meter.createHistogram('approvals.latency', { unit: 'ms', advice: { explicitBucketBoundaries: [10, 100] } });
  for (const value of [5, 50, 500.5]) latency.record(value, { route: '/approvals' });
  const size = meter.createHistogram('approvals.payload.size', { unit: 'By' });
  for (const value of [100, 200, 400, 800]) size.record(value);
  meter.createObservableGauge('approvals.queue.depth', { unit: '{item}' }).addCallback((result) => result.observe(7.5, { queue: 'main' }));
  await provider.forceFlush();
  await provider.shutdown();
  return [];
}

(signal === 'traces' ? traces() : metrics()).then(
  (sent) => process.stdout.write(JSON.stringify(sent)),
  (error) => {
    console.error(error);
    process.exitCode = 1;
  },
);
`;

// Only what the test passes should configure the exporters.
const environment = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('OTEL_')));

/** Runs the sender in a child process against the receiver; for traces, resolves with the spans the SDK recorded. */
async function send(signal: 'traces' | 'metrics', encoding: 'proto' | 'http', compression: 'none' | 'gzip'): Promise<ReceivedSpan[]> {
  const exporterPackage = `@opentelemetry/exporter-${signal === 'traces' ? 'trace' : 'metrics'}-otlp-${encoding}`;
  const options = JSON.stringify({ signal, exporterPackage, url: `${receiver.endpoint}/v1/${signal}`, compression });
  const { stdout } = await promisify(execFile)(process.execPath, ['-e', SENDER, options], { cwd: repoRoot(), env: environment });
  return JSON.parse(stdout, (key, value: unknown) => (key.endsWith('UnixNano') ? BigInt(value as string) : value)) as ReceivedSpan[];
}

const encodings = [
  { name: 'http/protobuf', encoding: 'proto', contentType: 'application/x-protobuf', compression: 'none' },
  { name: 'http/json', encoding: 'http', contentType: 'application/json', compression: 'none' },
  { name: 'http/protobuf with gzip', encoding: 'proto', contentType: 'application/x-protobuf', compression: 'gzip' },
  { name: 'http/json with gzip', encoding: 'http', contentType: 'application/json', compression: 'gzip' },
] as const;

let receiver: OtlpReceiver;
beforeAll(async () => {
  receiver = await OtlpReceiver.start();
});
afterAll(() => receiver.close());
beforeEach(() => receiver.reset());

describe.each(encodings)('OtlpReceiver with the $name exporters', ({ encoding, contentType, compression }) => {
  const request = (path: string) => ({ path, contentType, encoding: compression === 'gzip' ? 'gzip' : 'identity' });

  it('receives spans with their ids, parents, kinds, attributes, events, links, status, resource and scope', async () => {
    const sent = await send('traces', encoding, compression);

    const spans = await receiver.waitForSpans((received) => received.length === 3, 1_000);
    // SimpleSpanProcessor sends each span on its own, so they may arrive in any order.
    const byName = (list: ReceivedSpan[]) => [...list].sort((a, b) => (a.name < b.name ? -1 : 1));
    expect(byName(spans)).toEqual(byName(sent));
    const [server, client, other] = byName(spans);
    expect(server).toMatchObject({
      name: 'POST /approvals',
      kind: 2,
      parentSpanId: '',
      attributes: { 'http.request.method': 'POST', 'http.response.status_code': 201, 'approval.urgent': true, 'approval.score': 0.75, 'approval.tags': ['a', 'b'] },
      resource: { 'service.name': 'approvals-api', 'service.version': '1.4.0', 'deployment.environment.name': 'test' },
      scope: { name: 'approvals.http', version: '2.0.1' },
      status: { code: 0 },
    });
    expect(client).toMatchObject({
      name: 'ledger.append',
      kind: 3,
      traceId: server!.traceId,
      parentSpanId: server!.spanId,
      attributes: { 'db.operation.batch.size': 3 },
      events: [{ name: 'retry', attributes: { attempt: 2 } }],
      links: [{ traceId: other!.traceId, spanId: other!.spanId, attributes: { 'link.reason': 'triggered-by' } }],
      status: { code: 2, message: 'version conflict' },
    });
    expect(other).toMatchObject({ name: 'poll inbox', kind: 5 });
    expect(client!.traceId).toMatch(/^[0-9a-f]{32}$/);
    expect(client!.spanId).toMatch(/^[0-9a-f]{16}$/);
    expect(client!.startTimeUnixNano).toBeGreaterThan(1_600_000_000_000_000_000n);
    expect(byName(receiver.spansOfTrace(server!.traceId)).map((span) => span.name)).toEqual(['POST /approvals', 'ledger.append']);
    expect(receiver.requests).toEqual([request('/v1/traces'), request('/v1/traces'), request('/v1/traces')]);
    expect(receiver.errors).toEqual([]);
  }, 20_000);

  it('receives a counter, histograms and an observable gauge with their attributes and values', async () => {
    await send('metrics', encoding, compression);

    const counter = await receiver.waitForMetric('approvals.decisions', undefined, 1_000);
    const histogram = await receiver.waitForMetric('approvals.latency', undefined, 1_000);
    const gauge = await receiver.waitForMetric('approvals.queue.depth', undefined, 1_000);
    const exponential = await receiver.waitForMetric('approvals.payload.size', undefined, 1_000);
    expect(counter).toMatchObject({ name: 'approvals.decisions', description: 'Decisions taken', unit: '{decision}', kind: 'sum' });
    expect(counter.points).toHaveLength(2);
    expect(counter.points).toEqual(
      expect.arrayContaining([
        { attributes: { outcome: 'approved' }, value: 5 },
        { attributes: { outcome: 'denied', urgent: true }, value: 1 },
      ]),
    );
    expect(histogram).toMatchObject({ unit: 'ms', kind: 'histogram' });
    expect(histogram.points).toEqual([{ attributes: { route: '/approvals' }, count: 3, sum: 555.5, bucketCounts: [1, 1, 1], explicitBounds: [10, 100] }]);
    expect(gauge).toMatchObject({ kind: 'gauge', unit: '{item}', points: [{ attributes: { queue: 'main' }, value: 7.5 }] });
    expect(exponential).toMatchObject({ unit: 'By', kind: 'exponentialHistogram', points: [{ attributes: {}, count: 4, sum: 1500 }] });
    for (const metric of [counter, histogram, gauge, exponential]) {
      expect(metric.resource).toMatchObject({ 'service.name': 'approvals-api', 'deployment.environment.name': 'test' });
      expect(metric.scope).toEqual({ name: 'approvals.metrics', version: '1.0.0' });
    }
    // forceFlush and shutdown each export once.
    const names = ['approvals.decisions', 'approvals.latency', 'approvals.payload.size', 'approvals.queue.depth'];
    expect(receiver.metrics.map((metric) => metric.name).sort()).toEqual(names.flatMap((name) => [name, name]));
    expect(receiver.requests).toEqual([request('/v1/metrics'), request('/v1/metrics')]);
    expect(receiver.errors).toEqual([]);
  }, 20_000);
});

describe('OtlpReceiver', () => {
  const post = (path: string, body: string | Uint8Array, headers: Record<string, string>) => fetch(`${receiver.endpoint}${path}`, { method: 'POST', body, headers });

  it('reads hand-written OTLP/JSON with proto field names and int64 as numbers', async () => {
    const body = {
      resource_spans: [
        {
          resource: { attributes: [{ key: 'service.name', value: { string_value: 'manual' } }] },
          scope_spans: [
            {
              scope: { name: 'by-hand' },
              spans: [
                {
                  trace_id: '5B8EFFF798038103D269B633813FC60C',
                  span_id: 'EEE19B7EC3C1B174',
                  name: 'hand-made',
                  kind: 4,
                  start_time_unix_nano: 1000,
                  end_time_unix_nano: '2000',
                  attributes: [{ key: 'n', value: { int_value: '42' } }, { key: 'k', value: { kvlist_value: { values: [{ key: 'x', value: { bool_value: false } }] } } }],
                },
              ],
            },
          ],
        },
      ],
    };
    const response = await post('/v1/traces', JSON.stringify(body), { 'content-type': 'application/json' });

    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({});
    expect(receiver.spans).toEqual([
      {
        traceId: '5b8efff798038103d269b633813fc60c',
        spanId: 'eee19b7ec3c1b174',
        parentSpanId: '',
        name: 'hand-made',
        kind: 4,
        startTimeUnixNano: 1000n,
        endTimeUnixNano: 2000n,
        attributes: { n: 42, k: { x: false } },
        events: [],
        links: [],
        status: { code: 0 },
        resource: { 'service.name': 'manual' },
        scope: { name: 'by-hand' },
      },
    ]);
  });

  it('answers 400 to a body it cannot decode and lists why in errors', async () => {
    const responses = await Promise.all([
      post('/v1/traces', Uint8Array.from([0x0a, 0xff, 0xff, 0xff, 0x0f, 0x01]), { 'content-type': 'application/x-protobuf' }),
      post('/v1/metrics', '{"resourceMetrics": [', { 'content-type': 'application/json' }),
      post('/v1/traces', 'not gzip at all', { 'content-type': 'application/json', 'content-encoding': 'gzip' }),
    ]);

    expect(responses.map((response) => response.status)).toEqual([400, 400, 400]);
    expect(responses[0]!.headers.get('content-type')).toBe('application/x-protobuf');
    expect(await responses[1]!.json()).toMatchObject({ code: 3, message: expect.stringContaining('/v1/metrics') });
    expect(receiver.errors).toHaveLength(3);
    expect(receiver.errors).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^\/v1\/traces \(application\/x-protobuf, identity\): /),
        expect.stringMatching(/^\/v1\/metrics \(application\/json, identity\): /),
        expect.stringMatching(/^\/v1\/traces \(application\/json, gzip\): /),
      ]),
    );
    expect(receiver.spans).toEqual([]);
    expect(receiver.metrics).toEqual([]);
  });

  it('answers 415 to another content type and 404 to another path', async () => {
    expect((await post('/v1/traces', 'x', { 'content-type': 'text/plain' })).status).toBe(415);
    expect((await post('/v1/profiles', '{}', { 'content-type': 'application/json' })).status).toBe(404);
    expect(receiver.errors).toEqual(["/v1/traces: unsupported Content-Type 'text/plain'"]);
  });

  it('says what did arrive when a wait runs out', async () => {
    await post('/v1/traces', JSON.stringify({ resourceSpans: [{ scopeSpans: [{ spans: [{ traceId: '01'.repeat(16), spanId: '02'.repeat(8), name: 'only-this', kind: 2 }] }] }] }), {
      'content-type': 'application/json',
    });

    await expect(receiver.waitForSpans((spans) => spans.some((span) => span.name === 'never'), 50)).rejects.toThrow(/No matching spans within 50 ms; 1 arrived:\n {2}- 'only-this' kind 2/);
    await expect(receiver.waitForMetric('never', undefined, 50)).rejects.toThrow("No matching metric 'never' within 50 ms; 0 distinct arrived");
  });
});

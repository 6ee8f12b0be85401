import { randomBytes } from 'node:crypto';
import type { Server } from 'node:http';
import { createServer } from 'node:http';
import { Metadata } from '@grpc/grpc-js';
import type { ApprovalsClient } from '@approvals/client';
import { unary } from '@approvals/client';
import type { ReceivedMetric, ReceivedSpan, TestSystem } from '@approvals/testing';
import { OtlpReceiver, modes, startSystem } from '@approvals/testing';
import { actionRequest, awaitOutcome, clientAs, eventually } from './support';

jest.setTimeout(120_000);

const services = ['intake', 'policy-evaluator', 'decision', 'notifier', 'audit-projector'] as const;
const rpcServices: Record<string, string> = {
  'approvals.v1.IntakeService': 'intake',
  'approvals.v1.DecisionService': 'notifier',
  'approvals.v1.AuditService': 'audit-projector',
};

/** The service a span belongs to: its process's (distributed), else the one our spans name, else the gRPC service's. */
function serviceOf(span: ReceivedSpan): string | undefined {
  const resource = String(span.resource['service.name'] ?? '');
  if (resource.startsWith('approvals-')) return resource.slice('approvals-'.length);
  const named = span.attributes['approvals.service'];
  if (typeof named === 'string') return named;
  const rpc = span.attributes['rpc.service'];
  return typeof rpc === 'string' ? rpcServices[rpc] : undefined;
}

/** A W3C trace context of the agent's own, as an instrumented agent would send it. */
function agentTrace(): { traceId: string; spanId: string; metadata: Metadata } {
  const traceId = randomBytes(16).toString('hex');
  const spanId = randomBytes(8).toString('hex');
  const metadata = new Metadata();
  metadata.set('traceparent', `00-${traceId}-${spanId}-01`);
  return { traceId, spanId, metadata };
}

/** The chain of ancestors of a span within its trace, nearest first. */
function ancestors(span: ReceivedSpan, byId: Map<string, ReceivedSpan>): ReceivedSpan[] {
  const chain: ReceivedSpan[] = [];
  for (let parent = byId.get(span.parentSpanId); parent; parent = byId.get(parent.parentSpanId)) chain.push(parent);
  return chain;
}

/** Appends measured so far by the decision service (the sum over a cumulative histogram's points). */
const appendCount = (metric: ReceivedMetric | undefined) =>
  (metric?.points ?? []).filter((point) => point.attributes['approvals.service'] === 'decision').reduce((sum, point) => sum + (point.count ?? 0), 0);

const pointsOf = (metric: ReceivedMetric, attributes: Record<string, unknown>) =>
  metric.points.filter((point) => Object.entries(attributes).every(([key, value]) => point.attributes[key] === value));

// One action through every service as one trace, exported over OTLP/HTTP to a real receiver on
// loopback: protobuf from the embedded server, JSON from the five distributed services.
describe.each(modes)('%s mode: OpenTelemetry end to end', (mode) => {
  let receiver: OtlpReceiver;
  let system: TestSystem;
  let agent: ApprovalsClient;
  let alice: ApprovalsClient;
  // A Teams Workflows webhook on loopback: its URL's `sig` is a credential that must stay out of the spans.
  let workflow: Server;
  const workflowSecret = `sig-${randomBytes(8).toString('hex')}`;

  beforeAll(async () => {
    workflow = createServer((request, response) => request.resume().on('end', () => response.writeHead(202).end()));
    await new Promise<void>((resolve) => workflow.listen(0, '127.0.0.1', resolve));
    const workflowOrigin = `http://127.0.0.1:${(workflow.address() as { port: number }).port}`;
    receiver = await OtlpReceiver.start();
    system = await startSystem(mode, {
      env: {
        OTEL_EXPORTER_OTLP_ENDPOINT: receiver.endpoint,
        OTEL_EXPORTER_OTLP_PROTOCOL: mode === 'embedded' ? 'http/protobuf' : 'http/json',
        OTEL_BSP_SCHEDULE_DELAY: '200',
        OTEL_METRIC_EXPORT_INTERVAL: '500',
        APPROVALS_TEAMS_WORKFLOW_URL: `${workflowOrigin}/workflows/1/triggers/manual/paths/invoke?api-version=2016-06-01&sp=%2Ftriggers&sig=${workflowSecret}`,
      },
    });
    agent = clientAs(system.addresses, 'agent-reporting');
    alice = clientAs(system.addresses, 'alice');
  });

  /** True for a metric of an export that arrived after `mark` metrics had (not an earlier reading). */
  const exportedAfter = (metric: ReceivedMetric, mark: number) => receiver.metrics.indexOf(metric) >= mark;

  afterAll(async () => {
    agent?.close();
    alice?.close();
    await system?.dispose();
    await receiver?.close();
    await new Promise((resolve) => workflow?.close(resolve));
  });

  it('follows an action needing approval through all five services as one trace, in causal order', async () => {
    const { traceId, spanId, metadata } = agentTrace();
    const request = actionRequest({ action: 'db.export', parametersJson: JSON.stringify({ rows: 5000 }) });
    const created = await unary(agent.intake, 'RequestAction', request, metadata);

    const has = (spans: ReceivedSpan[], name: string) => spans.some((span) => span.name.startsWith(name));
    const spans = await receiver.waitForSpans((all) => {
      const trace = all.filter((span) => span.traceId === traceId);
      const projectedTypes = trace.filter((span) => span.name === 'audit.project').flatMap((span) => span.attributes['approvals.event.type'] as string[]);
      // Five processes export on their own schedules: wait until no span's parent is still missing.
      const ids = new Set(trace.map((span) => span.spanId));
      return trace.every((span) => span.parentSpanId === spanId || ids.has(span.parentSpanId)) &&
        ['policy.evaluate', 'notification.deliver log', 'notification.deliver teams-workflow', 'audit.project', 'ledger.append', 'POST'].every((name) => has(trace, name)) &&
        ['ActionRequested', 'PolicyEvaluated', 'ApprovalRequested', 'ApprovalNotified'].every((type) => projectedTypes.includes(type));
    }, 30_000).then((all) => all.filter((span) => span.traceId === traceId));

    // Every service has spans in the agent's trace.
    for (const service of services) expect(spans.some((span) => serviceOf(span) === service)).toBe(true);
    if (mode === 'distributed') {
      expect(new Set(spans.map((span) => span.resource['service.name']))).toEqual(new Set(services.map((s) => `approvals-${s}`)));
    }

    // One trace: every span hangs off the agent's span or another span of it.
    const byId = new Map(spans.map((span) => [span.spanId, span]));
    for (const span of spans) expect([spanId, ...byId.keys()]).toContain(span.parentSpanId);
    // Children never start before their parents (across processes, give each clock's origin 2 ms).
    for (const span of spans) {
      const parent = byId.get(span.parentSpanId);
      if (!parent) continue;
      const skew = span.resource['service.instance.id'] === parent.resource['service.instance.id'] ? 0n : 2_000_000n;
      expect(span.startTimeUnixNano + skew).toBeGreaterThanOrEqual(parent.startTimeUnixNano);
    }

    // Causal order: intake's call, the decision's first append, the policy, the decision's next
    // appends, then the notifier's delivery; the projector follows each recorded event.
    const rpc = spans.find((span) => span.kind === 2 && String(span.attributes['rpc.method']) === 'RequestAction');
    const appendOf = (type: string) => spans.find((span) => span.name === 'ledger.append' && (span.attributes['approvals.event.type'] as string[]).includes(type));
    const requested = appendOf('ActionRequested');
    const evaluated = appendOf('PolicyEvaluated');
    const evaluation = spans.find((span) => span.name === 'policy.evaluate');
    const delivery = spans.find((span) => span.name === 'notification.deliver log');
    expect([rpc, requested, evaluated, evaluation, delivery].every(Boolean)).toBe(true);
    expect(ancestors(requested!, byId)).toContain(rpc);
    expect(ancestors(evaluation!, byId)).toContain(requested);
    // The evaluator publishes its result after evaluating, from the message's processing span.
    expect(ancestors(evaluated!, byId)).toContain(byId.get(evaluation!.parentSpanId));
    // (Span start times are whole milliseconds: allow one.)
    expect(evaluated!.startTimeUnixNano + 1_000_000n).toBeGreaterThanOrEqual(evaluation!.endTimeUnixNano);
    expect(ancestors(delivery!, byId).some((span) => span.name === 'ledger.append')).toBe(true);
    expect(evaluation!.attributes['approvals.policy.outcome']).toBe('REQUIRE_APPROVAL');
    // The Teams workflow delivery made an HTTP call (official undici instrumentation) whose URL,
    // a credential, was kept out: only its origin is recorded.
    const workflowCall = spans.find((span) => span.scope.name === '@opentelemetry/instrumentation-undici');
    expect(byId.get(workflowCall!.parentSpanId)?.name).toBe('notification.deliver teams-workflow');
    expect(workflowCall!.attributes['url.full']).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/REDACTED$/);
    expect(JSON.stringify(receiver.spans, (_, value: unknown) => (typeof value === 'bigint' ? String(value) : value))).not.toContain(workflowSecret);
    const projected = spans.filter((span) => span.name === 'audit.project');
    expect(projected.find((span) => (span.attributes['approvals.event.type'] as string[]).includes('ActionRequested'))!.parentSpanId).toBe(requested!.spanId);
    // Kafka hops are traced: our PRODUCER spans, the official kafkajs instrumentation's CONSUMER
    // spans; the in-process bus only carries the context (a hand-over in memory is no hop).
    const messaging = spans.filter((span) => span.attributes['messaging.system'] !== undefined);
    if (mode === 'distributed') {
      expect(messaging.filter((span) => span.kind === 4 && span.attributes['messaging.system'] === 'kafka').length).toBeGreaterThan(0);
      const consumed = messaging.filter((span) => span.kind === 5 && span.scope.name === '@opentelemetry/instrumentation-kafkajs');
      expect(consumed.length).toBeGreaterThan(0);
      expect(consumed.every((span) => byId.get(span.parentSpanId)?.kind === 4)).toBe(true);
    } else {
      expect(messaging).toEqual([]);
    }

    // With the ledger on PostgreSQL, its statements are spans of the appends (official pg instrumentation).
    if (mode === 'distributed') {
      const statements = spans.filter((span) => span.scope.name === '@opentelemetry/instrumentation-pg');
      expect(statements.length).toBeGreaterThan(0);
      expect(statements.some((span) => ancestors(span, byId).includes(requested!))).toBe(true);
    }

    // The ledger carries the trace: the auditors' timeline shows it per event.
    const timeline = await eventually(
      () => unary(alice.audit, 'GetTimeline', { actionId: created.actionId }),
      (t) => t.entries.some((entry) => entry.type === 'ApprovalNotified'),
    );
    expect(timeline.entries.map((entry) => [entry.type, entry.traceId])).toEqual(timeline.entries.map((entry) => [entry.type, traceId]));

    // Logs of that work carry its trace and span ids.
    const logged = system.logs
      .split('\n')
      .map((line) => line.replace(/^\[[^\]]+\] /, '')) // distributed mode names the process first
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as Record<string, unknown>)
      .filter((line) => line['trace_id'] === traceId);
    expect(logged.length).toBeGreaterThan(0);
    expect(logged.every((line) => typeof line['span_id'] === 'string')).toBe(true);
    expect(logged.some((line) => byId.has(line['span_id'] as string))).toBe(true);

    // Metrics: one approval waiting, then none once alice approves; the outcome is counted as human-approved.
    await receiver.waitForMetric('approvals.approval_requests.pending', (metric) => metric.points.some((point) => point.value === 1));
    const vote = agentTrace();
    await unary(alice.decisions, 'CastVote', { actionId: created.actionId, decision: 'APPROVE', comment: 'fine' }, vote.metadata);
    const outcome = await awaitOutcome(agent, created.actionId);
    expect(outcome.action?.status).toBe('APPROVED');
    const completed = await receiver.waitForMetric('approvals.actions.completed', (metric) =>
      pointsOf(metric, { 'approvals.outcome': 'approved', 'approvals.decided_by': 'human' }).some((point) => point.value === 1),
    );
    expect(completed.kind).toBe('sum');
    const latency = await receiver.waitForMetric('approvals.action.outcome.duration', (metric) =>
      pointsOf(metric, { 'approvals.decided_by': 'human' }).some((point) => point.count === 1),
    );
    expect(pointsOf(latency, { 'approvals.decided_by': 'human' })[0]!.sum).toBeGreaterThan(0);
    const decided = receiver.metrics.length;
    await receiver.waitForMetric('approvals.approval_requests.pending', (metric) => exportedAfter(metric, decided) && metric.points.at(-1)?.value === 0);

    // The vote is its own trace (a person's act), and the events it caused carry it.
    const after = await eventually(
      () => unary(alice.audit, 'GetTimeline', { actionId: created.actionId }),
      (t) => t.entries.some((entry) => entry.type === 'ActionApproved'),
    );
    for (const type of ['VoteCast', 'ActionApproved']) expect(after.entries.find((entry) => entry.type === type)?.traceId).toBe(vote.traceId);
    // ... and links back to the trace of the request.
    const voteSpans = await receiver.waitForSpans((all) => all.some((span) => span.traceId === vote.traceId && span.name === 'ledger.append'));
    const voteAppend = voteSpans.find((span) => span.traceId === vote.traceId && span.name === 'ledger.append')!;
    expect(voteAppend.links.map((link) => link.traceId)).toEqual([traceId]);
  });

  it('traces an auto-allowed action end to end and measures it', async () => {
    const appendsBefore = appendCount(receiver.metrics.findLast((metric) => metric.name === 'approvals.ledger.append.duration'));
    const { traceId, metadata } = agentTrace();
    const created = await unary(agent.intake, 'RequestAction', actionRequest({ action: 'db.read' }), metadata);
    const outcome = await awaitOutcome(agent, created.actionId);
    expect(outcome.action?.status).toBe('APPROVED');

    const timeline = await eventually(
      () => unary(alice.audit, 'GetTimeline', { actionId: created.actionId }),
      (t) => t.entries.length >= 4,
    );
    expect(timeline.entries.map((entry) => [entry.type, entry.traceId])).toEqual([
      ['ActionRequested', traceId],
      ['PolicyEvaluated', traceId],
      ['ActionApproved', traceId],
      ['ExecutionGrantIssued', traceId],
    ]);
    await receiver.waitForSpans((all) =>
      all.some((span) => span.traceId === traceId && span.name === 'audit.project' && (span.attributes['approvals.event.type'] as string[]).includes('ExecutionGrantIssued')),
    );

    const completed = await receiver.waitForMetric('approvals.actions.completed', (metric) =>
      pointsOf(metric, { 'approvals.outcome': 'approved', 'approvals.decided_by': 'policy' }).some((point) => point.value === 1),
    );
    expect(completed.resource['service.name']).toBe(mode === 'distributed' ? 'approvals-decision' : 'approvals');
    const evaluations = await receiver.waitForMetric('approvals.policy.evaluation.duration', (metric) =>
      pointsOf(metric, { 'approvals.policy.outcome': 'ALLOW' }).some((point) => (point.count ?? 0) >= 1),
    );
    expect(evaluations.unit).toBe('s');
    // Two appends: the request, then the evaluation with its outcome and grant.
    await receiver.waitForMetric('approvals.ledger.append.duration', (metric) => appendCount(metric) >= appendsBefore + 2);
    // Projected by now (the timeline shows it): the lag read after that is back to nothing.
    const projected = receiver.metrics.length;
    await receiver.waitForMetric('approvals.projector.lag.events', (metric) => exportedAfter(metric, projected) && metric.points.every((point) => point.value === 0));
    await receiver.waitForMetric('approvals.projector.lag.time', (metric) => exportedAfter(metric, projected) && metric.points.every((point) => point.value === 0));
    if (mode === 'distributed') {
      const lag = await receiver.waitForMetric('approvals.bus.consumer.lag', (metric) => metric.points.length > 0);
      expect(lag.points.every((point) => point.attributes['messaging.system'] === 'kafka' && typeof point.attributes['messaging.destination.name'] === 'string')).toBe(true);
    }

    // The same metrics for Prometheus, on the decision service's HTTP port.
    const scraped = await (await fetch(`${system.decisionHttpUrl}/metrics`)).text();
    expect(scraped).toMatch(/approvals_actions_completed_total\{[^}]*approvals_outcome="approved"[^}]*approvals_decided_by="policy"[^}]*\} [1-9]/);
    expect(scraped).toContain('# TYPE approvals_action_outcome_duration histogram');
  });
});

// Tracing off (the default): no spans, but the agent's own trace id still reaches the ledger, and
// the metrics are on /metrics.
describe('embedded mode with the default telemetry settings', () => {
  let system: TestSystem;
  let agent: ApprovalsClient;
  let alice: ApprovalsClient;
  beforeAll(async () => {
    system = await startSystem('embedded');
    agent = clientAs(system.addresses, 'agent-reporting');
    alice = clientAs(system.addresses, 'alice');
  });
  afterAll(async () => {
    agent?.close();
    alice?.close();
    await system?.dispose();
  });

  it("records the agent's traceparent as given and serves the metrics", async () => {
    const { traceId, metadata } = agentTrace();
    const created = await unary(agent.intake, 'RequestAction', actionRequest({ action: 'db.read' }), metadata);
    expect((await awaitOutcome(agent, created.actionId)).action?.status).toBe('APPROVED');
    const timeline = await eventually(
      () => unary(alice.audit, 'GetTimeline', { actionId: created.actionId }),
      (t) => t.entries.length >= 4,
    );
    expect(timeline.entries.map((entry) => entry.traceId)).toEqual([traceId, traceId, traceId, traceId]);
    const scraped = await (await fetch(`${system.decisionHttpUrl}/metrics`)).text();
    expect(scraped).toMatch(/approvals_actions_completed_total\{[^}]*approvals_decided_by="policy"[^}]*\} 1/);
  });
});

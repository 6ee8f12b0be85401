import type { Attributes, Counter, Histogram, SpanContext, Tracer } from '@opentelemetry/api';
import { SpanKind, context, trace } from '@opentelemetry/api';
import type { AppendResult, EventStore, ExpectedRevision, NewEvent, RecordedEvent } from '@approvals/application';
import { ApprovalsAttributes, MetricNames, durationHistogram, outcomeInstruments } from './approvals-metrics';
import type { ApprovalsService } from './tracing';
import { SERVICE_ATTRIBUTE, contextOf, inSpan, tracerOf, traceFieldsOf, tracingOn } from './tracing';

const outcomes: Record<string, string> = {
  ActionApproved: 'approved',
  ActionDenied: 'denied',
  ActionExpired: 'expired',
  ActionCancelled: 'cancelled',
};

/** Who decided an outcome, for telling auto-decided actions from human-approved ones. */
function decidedBy(event: NewEvent): string {
  const by = (event.data as { by?: unknown } | null)?.by;
  switch (by) {
    case 'POLICY':
      return 'policy';
    case 'APPROVERS':
    case 'APPROVER':
      return 'human';
    case 'STANDING_APPROVAL':
      return 'standing_approval';
    case 'BREAK_GLASS':
      return 'break_glass';
    default:
      return event.type === 'ActionCancelled' ? 'agent' : 'system';
  }
}

const instantOf = (data: unknown, field: string): number | undefined => {
  const value = (data as Record<string, unknown> | null)?.[field];
  const ms = typeof value === 'string' ? Date.parse(value) : NaN;
  return Number.isFinite(ms) ? ms : undefined;
};

const outcomeInstantFields: Record<string, string> = { approved: 'approvedAt', denied: 'deniedAt', expired: 'expiredAt', cancelled: 'cancelledAt' };

/** Remembered requests, bounded: after a restart the first event of the stream tells the instant. */
const MAX_REMEMBERED = 100_000;

/** What this process remembers of an action it recorded the request of. */
interface KnownRequest {
  requestedAt: number | undefined;
  /** The span that recorded the request: later work on the action in other traces links to it. */
  origin: SpanContext | undefined;
}

/**
 * The ledger as a service writes it, observed: each append is a span (`ledger.append`) whose
 * context the appended events record as theirs, and a duration sample; final outcomes are
 * counted with their time from the request. Reads pass straight through.
 */
export class InstrumentedEventStore implements EventStore {
  private readonly tracer: Tracer;
  private readonly appendDuration: Histogram<Attributes>;
  private readonly completed: Counter<Attributes>;
  private readonly outcomeDuration: Histogram<Attributes>;
  private readonly requests = new Map<string, KnownRequest>();

  constructor(
    private readonly inner: EventStore,
    private readonly service: ApprovalsService,
    private readonly storeKind: string,
  ) {
    this.tracer = tracerOf(service);
    this.appendDuration = durationHistogram(MetricNames.ledgerAppendDuration, 'Time to append events to the ledger');
    ({ completed: this.completed, duration: this.outcomeDuration } = outcomeInstruments());
  }

  appendToStream(streamId: string, events: NewEvent[], options?: { expectedRevision?: ExpectedRevision }): Promise<AppendResult> {
    if (!tracingOn()) return this.measured(streamId, events, options);
    // Work outside any span (a timer's) continues the trace its events name, if they name one.
    const carried = trace.getSpan(context.active()) ? undefined : contextOf(events[0]?.metadata);
    return inSpan(
      this.tracer,
      {
        name: 'ledger.append',
        kind: SpanKind.INTERNAL,
        parent: carried,
        attributes: {
          [SERVICE_ATTRIBUTE]: this.service,
          [ApprovalsAttributes.ledgerStore]: this.storeKind,
          'approvals.stream.id': streamId,
          [ApprovalsAttributes.eventType]: events.map((event) => event.type),
        },
      },
      async (span) => {
        // A person's vote, an expiry or an execution report is work of its own, in its own trace:
        // link it to the trace of the request, so an SRE can go from one to the other.
        const origin = this.requests.get(streamId)?.origin;
        if (origin && origin.traceId !== span.spanContext().traceId) span.addLink({ context: origin, attributes: { 'approvals.link': 'action.request' } });
        const fields = traceFieldsOf();
        const stamped = fields.traceparent ? events.map((event) => ({ ...event, metadata: { ...event.metadata, ...fields } })) : events;
        const appended = await this.measured(streamId, stamped, options);
        span.setAttribute('approvals.ledger.position', appended.position.toString());
        return appended;
      },
    );
  }

  /** The append, timed, with the outcomes it records counted. */
  private async measured(streamId: string, events: NewEvent[], options: { expectedRevision?: ExpectedRevision } | undefined): Promise<AppendResult> {
    const started = performance.now();
    let result = 'ok';
    try {
      const appended = await this.inner.appendToStream(streamId, events, options);
      if (appended.appended) this.observeOutcomes(streamId, events);
      else result = 'duplicate';
      return appended;
    } catch (error) {
      result = error instanceof Error ? error.name : 'Error';
      throw error;
    } finally {
      this.appendDuration.record((performance.now() - started) / 1000, {
        [SERVICE_ATTRIBUTE]: this.service,
        [ApprovalsAttributes.ledgerStore]: this.storeKind,
        [ApprovalsAttributes.result]: result,
      });
    }
  }

  private observeOutcomes(streamId: string, events: NewEvent[]): void {
    for (const event of events) {
      if (event.type === 'ActionRequested') {
        const origin = contextOf(event.metadata);
        this.remember(streamId, { requestedAt: instantOf(event.data, 'requestedAt'), origin: origin ? trace.getSpanContext(origin) : undefined });
        continue;
      }
      const outcome = outcomes[event.type];
      if (!outcome) continue;
      const attributes = { [ApprovalsAttributes.outcome]: outcome, [ApprovalsAttributes.decidedBy]: decidedBy(event) };
      this.completed.add(1, attributes);
      const decided = instantOf(event.data, outcomeInstantFields[outcome]!);
      if (decided === undefined) continue;
      const known = this.requests.get(streamId);
      if (known?.requestedAt !== undefined) this.outcomeDuration.record(Math.max(0, decided - known.requestedAt) / 1000, attributes);
      else void this.recordFromStream(streamId, decided, attributes);
    }
  }

  private remember(streamId: string, request: KnownRequest): void {
    if (this.requests.size >= MAX_REMEMBERED) this.requests.delete(this.requests.keys().next().value!);
    this.requests.set(streamId, request);
  }

  /** The request was recorded before this process started: its stream's first event has the instant. */
  private async recordFromStream(streamId: string, decided: number, attributes: Attributes): Promise<void> {
    try {
      const [first] = await this.inner.readStream(streamId, { maxCount: 1 });
      const requested = first?.type === 'ActionRequested' ? instantOf(first.data, 'requestedAt') : undefined;
      if (requested !== undefined) this.outcomeDuration.record(Math.max(0, decided - requested) / 1000, attributes);
    } catch {
      // A metric sample is not worth an error: the outcome itself is recorded.
    }
  }

  readStream(...args: Parameters<EventStore['readStream']>): Promise<RecordedEvent[]> {
    return this.inner.readStream(...args);
  }

  readAll(...args: Parameters<EventStore['readAll']>): Promise<RecordedEvent[]> {
    return this.inner.readAll(...args);
  }

  headPosition(): Promise<bigint> {
    return this.inner.headPosition();
  }

  subscribeToAll(...args: Parameters<EventStore['subscribeToAll']>): ReturnType<EventStore['subscribeToAll']> {
    return this.inner.subscribeToAll(...args);
  }

  close(): Promise<void> {
    return this.inner.close();
  }
}

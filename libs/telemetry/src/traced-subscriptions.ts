import type { Span } from '@opentelemetry/api';
import { SpanKind, context, trace } from '@opentelemetry/api';
import type { EventStore, RecordedEvent } from '@approvals/application';
import { ApprovalsAttributes } from './approvals-metrics';
import type { ApprovalsService } from './tracing';
import { SERVICE_ATTRIBUTE, contextOf, failed, tracerOf, tracingOn } from './tracing';

interface OpenSpan {
  span: Span;
  traceparent: string | undefined;
  types: string[];
  closing: NodeJS.Immediate | undefined;
}

/**
 * The ledger as a follower reads it, observed: the events a subscription delivers are handled in
 * a span (`<spanName>`) of the trace that recorded them, so the follower's work appears in the
 * action's trace. Consecutive events recorded by one append (they name the same span) share one
 * span, which ends once no more of them follow. Everything else passes straight through.
 */
export function traceSubscriptions(store: EventStore, service: ApprovalsService, spanName: string): EventStore {
  const tracer = tracerOf(service);
  const subscribeToAll: EventStore['subscribeToAll'] = (handler, options) => {
    if (!tracingOn()) return store.subscribeToAll(handler, options);
    let open: OpenSpan | undefined;
    const close = () => {
      if (!open) return;
      clearImmediate(open.closing);
      open.span.setAttribute(ApprovalsAttributes.eventType, open.types);
      open.span.end();
      open = undefined;
    };
    const spanFor = (event: RecordedEvent): OpenSpan => {
      const traceparent = event.metadata.traceparent;
      if (open && open.traceparent === traceparent && traceparent !== undefined) {
        clearImmediate(open.closing);
        open.types.push(event.type);
        return open;
      }
      close();
      const span = tracer.startSpan(
        spanName,
        {
          kind: SpanKind.CONSUMER,
          attributes: { [SERVICE_ATTRIBUTE]: service, 'approvals.stream.id': event.streamId, 'approvals.ledger.position': event.position.toString() },
        },
        contextOf(event.metadata) ?? context.active(),
      );
      open = { span, traceparent, types: [event.type], closing: undefined };
      return open;
    };
    const subscription = store.subscribeToAll(async (event) => {
      const current = spanFor(event);
      try {
        await context.with(trace.setSpan(context.active(), current.span), async () => handler(event));
      } catch (error) {
        failed(current.span, error);
        close();
        throw error;
      }
      // Ends after this turn unless the next event of the same append arrives first.
      if (open === current) current.closing = setImmediate(close);
    }, options);
    return {
      caughtUp: subscription.caughtUp,
      close: async () => {
        await subscription.close();
        close();
      },
    };
  };
  return {
    appendToStream: store.appendToStream.bind(store),
    readStream: store.readStream.bind(store),
    readAll: store.readAll.bind(store),
    headPosition: store.headPosition.bind(store),
    close: store.close.bind(store),
    subscribeToAll,
  };
}

import { SpanKind } from '@opentelemetry/api';
import type { EventStore } from '@approvals/application';
import { ApprovalsAttributes } from './approvals-metrics';
import type { ApprovalsService } from './tracing';
import { SERVICE_ATTRIBUTE, contextOf, inSpan, tracerOf } from './tracing';

/**
 * The ledger as a follower reads it, observed: each event a subscription delivers is handled in a
 * span (`<spanName>`) of the trace that recorded the event, so the follower's work appears in the
 * action's trace. Everything else passes straight through.
 */
export function traceSubscriptions(store: EventStore, service: ApprovalsService, spanName: string): EventStore {
  const tracer = tracerOf(service);
  return {
    appendToStream: store.appendToStream.bind(store),
    readStream: store.readStream.bind(store),
    readAll: store.readAll.bind(store),
    headPosition: store.headPosition.bind(store),
    close: store.close.bind(store),
    subscribeToAll: (handler, options) =>
      store.subscribeToAll(
        (event) =>
          inSpan(
            tracer,
            {
              name: spanName,
              kind: SpanKind.CONSUMER,
              parent: contextOf(event.metadata),
              attributes: {
                [SERVICE_ATTRIBUTE]: service,
                [ApprovalsAttributes.eventType]: event.type,
                'approvals.stream.id': event.streamId,
                'approvals.ledger.position': event.position.toString(),
              },
            },
            async () => handler(event),
          ),
        options,
      ),
  };
}

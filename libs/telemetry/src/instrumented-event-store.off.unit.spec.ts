import { InMemoryEventStore } from '@approvals/testing';
import { InstrumentedEventStore } from './instrumented-event-store';

const AGENT_TRACEPARENT = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';

// No SDK registered: tracing is off, as by default. The ledger must be exactly what it would be
// without the wrapper.
describe('InstrumentedEventStore with tracing off', () => {
  it('stores the events as given: an agent-supplied traceparent kept, none added', async () => {
    const inner = new InMemoryEventStore();
    const store = new InstrumentedEventStore(inner, 'decision', 'embedded');
    await store.appendToStream('action-a1', [
      { eventId: 'e1', type: 'ActionRequested', data: { actionId: 'a1', requestedAt: '2026-01-01T00:00:00.000Z' }, metadata: { actionId: 'a1', traceparent: AGENT_TRACEPARENT } },
    ]);
    await store.appendToStream('action-a2', [{ eventId: 'e2', type: 'ActionRequested', data: { actionId: 'a2' }, metadata: { actionId: 'a2' } }]);

    const [first] = await inner.readStream('action-a1');
    const [second] = await inner.readStream('action-a2');
    expect(first!.metadata).toEqual({ actionId: 'a1', traceparent: AGENT_TRACEPARENT, prevHash: null, occurredAt: expect.any(String) });
    expect(second!.metadata).toEqual({ actionId: 'a2', prevHash: null, occurredAt: expect.any(String) });
  });
});

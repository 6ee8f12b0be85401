import type { ActionUpdate } from '@approvals/application';
import { ActionUpdates, toLedgerEventMessage } from '@approvals/application';
import { InvalidMessageError } from '@approvals/contracts';
import { InMemoryEventStore } from '@approvals/testing';
import { IntakeBusController } from './intake.bus.controller';

function given() {
  const store = new InMemoryEventStore();
  const updates = new ActionUpdates();
  const received: ActionUpdate[] = [];
  updates.listen('action-act-1', (update) => received.push(update));
  return { store, updates, received, controller: new IntakeBusController(updates) };
}

describe('IntakeBusController', () => {
  it('announces each ledger event from the bus, with its data, to the watchers of its stream', async () => {
    const { store, controller, received } = given();
    await store.appendToStream('action-act-1', [
      { eventId: 'event-1', type: 'ActionRequested', data: { actionId: 'act-1' }, metadata: { actionId: 'act-1' } },
      { eventId: 'event-2', type: 'PolicyEvaluated', data: { actionId: 'act-1' }, metadata: { actionId: 'act-1' } },
    ]);

    // As the outbox relay publishes them, and as they arrive over the wire.
    for (const event of await store.readStream('action-act-1')) controller.onLedgerEvent(JSON.parse(JSON.stringify(toLedgerEventMessage(event))));

    expect(received).toEqual([
      { streamId: 'action-act-1', revision: 0, type: 'ActionRequested', data: { actionId: 'act-1' } },
      { streamId: 'action-act-1', revision: 1, type: 'PolicyEvaluated', data: { actionId: 'act-1' } },
    ]);
  });

  it('refuses a message that is not a ledger event, and announces nothing', async () => {
    const { controller, received } = given();

    expect(() => controller.onLedgerEvent({ type: 'ActionRequested', data: {}, metadata: { streamId: 'action-act-1' } })).toThrow(InvalidMessageError);
    expect(received).toEqual([]);
  });
});

import type { EventStore } from '../ports/event-store.port';
import { StoreUnavailableError } from '../ports/event-store.port';
import type { LedgerFinding } from '../ledger/ledger-log';
import { AuditProjector } from './audit-projector';
import { AuditQueries } from './audit-queries';
import { actionEvents, InMemoryEventStore, type InMemoryEventStoreOptions } from '@approvals/testing';
import { InMemoryReadModelStore } from './spec/in-memory-read-model-store';

const at = '2025-03-01T09:00:00Z';

async function given(options: InMemoryEventStoreOptions = {}) {
  const ledger = new InMemoryEventStore(options);
  const store = new InMemoryReadModelStore();
  await ledger.appendToStream('action-a1', actionEvents({ actionId: 'a1', requestedAt: at }));
  return { ledger, store, projector: new AuditProjector(ledger, store) };
}

describe('AuditProjector: divergence (I8)', () => {
  it('reports an event whose content no longer matches its hash, and one that does not follow its predecessor, and still projects them', async () => {
    const { ledger, store } = await given();
    // The ledger as it reads after a database administrator changed revision 2 and removed revision 5.
    const tampered = new Proxy(ledger, {
      get(target, property, receiver) {
        if (property !== 'subscribeToAll') return Reflect.get(target, property, receiver) as unknown;
        return ((handler, options) =>
          target.subscribeToAll((event) => {
            if (event.revision === 5) return;
            return handler(event.revision === 2 ? { ...event, data: { ...(event.data as object), changed: true } } : event);
          }, options)) satisfies EventStore['subscribeToAll'];
      },
    });
    const findings: LedgerFinding[] = [];
    const projector = new AuditProjector(tampered, store, { onFinding: (finding) => findings.push(finding) });

    await projector.start();
    await projector.whenCaughtUp();
    await projector.stop();

    expect(findings).toEqual([
      expect.objectContaining({ kind: 'HASH_MISMATCH', streamId: 'action-a1', revision: 2 }),
      expect.objectContaining({ kind: 'CHAIN_BROKEN', streamId: 'action-a1', revision: 6 }),
    ]);
    expect(store.entries).toHaveLength(8);
  });

  it('finds nothing on an untouched ledger, also when every event is delivered twice (as after a reconnect)', async () => {
    const { ledger, store } = await given({ deliverTwice: true });
    const findings: LedgerFinding[] = [];
    const projector = new AuditProjector(ledger, store, { onFinding: (finding) => findings.push(finding) });
    await projector.start();
    await projector.whenCaughtUp();
    await projector.stop();
    expect(findings).toEqual([]);
  });
});

describe('AuditProjector', () => {
  it('projects the ledger from the checkpoint and reports its position', async () => {
    const { store, projector } = await given();

    await projector.start();
    await projector.whenCaughtUp();

    expect(store.entries).toHaveLength(9);
    expect(store.checkpoint).toBe(9n);
    expect(projector.lag()).toEqual({ position: 9n, running: true, caughtUp: true, lastError: undefined });
    await projector.stop();
    expect(projector.lag().running).toBe(false);
  });

  it('never duplicates an entry when the transport delivers every event twice', async () => {
    const { store, projector } = await given({ deliverTwice: true });

    await projector.start();
    await projector.whenCaughtUp();
    await projector.stop();

    expect(store.entries.map((entry) => entry.revision)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8]);
  });

  it('skips events at or below the stored checkpoint when a subscription starts from zero', async () => {
    const { ledger, store, projector } = await given({ ignoreAfter: true });
    await projector.start();
    await projector.whenCaughtUp();
    await projector.stop();
    const before = structuredClone(store.entries);

    const second = new AuditProjector(ledger, store);
    await second.start();
    await second.whenCaughtUp();
    await second.stop();

    expect(store.entries).toEqual(before);
  });

  it('continues after a restart without a gap', async () => {
    const { ledger, store, projector } = await given();
    await projector.start();
    await projector.whenCaughtUp();
    await projector.stop();

    await ledger.appendToStream('action-a2', actionEvents({ actionId: 'a2', requestedAt: '2025-03-01T10:00:00Z', outcome: 'EXPIRED' }));
    await projector.start();
    await projector.whenCaughtUp();

    expect(store.entries.map((entry) => entry.position)).toEqual(Array.from({ length: 15 }, (_, i) => BigInt(i + 1)));
    await projector.stop();
  });

  it('follows live appends and lets callers wait for a position', async () => {
    const { ledger, store, projector } = await given();
    await projector.start();
    await projector.whenCaughtUp();

    const appended = await ledger.appendToStream('action-a2', actionEvents({ actionId: 'a2', requestedAt: '2025-03-01T10:00:00Z', outcome: 'CANCELLED' }));
    await projector.waitForPosition(appended.position);

    expect(store.actions.get('a2')?.status).toBe('CANCELLED');
    await projector.stop();
  });

  it('rebuilds an identical read model from position 0', async () => {
    const { ledger, store, projector } = await given();
    await ledger.appendToStream('action-a2', actionEvents({ actionId: 'a2', requestedAt: '2025-03-01T10:00:00Z', outcome: 'DENIED' }));
    await projector.start();
    await projector.whenCaughtUp();
    const queries = new AuditQueries(store);
    const before = [await queries.getTimeline('a1'), await queries.getTimeline('a2'), await queries.searchActions({})];

    await projector.rebuild();

    expect([await queries.getTimeline('a1'), await queries.getTimeline('a2'), await queries.searchActions({})]).toEqual(before);
    expect(store.checkpoint).toBe(16n);
    await projector.stop();
  });

  it('stops on a failing store, says why, and resumes from the last stored event', async () => {
    const { ledger, store, projector: first } = await given();
    await first.start();
    await first.whenCaughtUp();
    await first.stop();
    await ledger.appendToStream('action-a2', actionEvents({ actionId: 'a2', requestedAt: '2025-03-01T10:00:00Z', outcome: 'EXPIRED' }));
    const errors: unknown[] = [];
    const projector = new AuditProjector(ledger, store, { onError: (error) => errors.push(error) });
    store.failNextApply = new Error('disk full');

    await projector.start();
    await expect(projector.whenCaughtUp()).rejects.toThrow('disk full');

    expect(errors).toHaveLength(1);
    expect(projector.lag()).toMatchObject({ position: 9n, running: false, lastError: 'disk full' });
    await expect(projector.waitForPosition(15n)).rejects.toThrow('audit projector stopped: disk full');
    await projector.start();
    await projector.whenCaughtUp();
    expect(store.checkpoint).toBe(15n);
    expect(store.entries).toHaveLength(15);
    await projector.stop();
  });

  it('starts again by itself from its checkpoint when the read model was unreachable', async () => {
    // given a read model whose server drops out while the projector works
    const { ledger, store } = await given();
    const errors: unknown[] = [];
    const projector = new AuditProjector(ledger, store, { onError: (error) => errors.push(error), restartDelayMs: 10 });
    store.failNextApply = new StoreUnavailableError('the read model cannot be reached');

    // when the projector starts, fails on the first event, and more events are appended meanwhile
    await projector.start();
    await ledger.appendToStream('action-a2', actionEvents({ actionId: 'a2', requestedAt: '2025-03-01T10:00:00Z', outcome: 'EXPIRED' }));
    await projector.waitForPosition(15n).catch(() => undefined);
    const deadline = Date.now() + 5000;
    while (store.checkpoint < 15n && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));

    // then it told of the outage once, started again and projected everything exactly once
    expect(errors).toEqual([new StoreUnavailableError('the read model cannot be reached')]);
    expect(store.checkpoint).toBe(15n);
    expect(store.entries).toHaveLength(15);
    expect(projector.lag()).toMatchObject({ running: true, position: 15n });
    await projector.stop();
  });

  it('does not start again after an outage once it was stopped', async () => {
    const { ledger, store } = await given();
    const projector = new AuditProjector(ledger, store, { restartDelayMs: 20 });
    store.failNextApply = new StoreUnavailableError('the read model cannot be reached');
    await projector.start();
    await projector.whenCaughtUp().catch(() => undefined);
    await projector.stop();
    await new Promise((r) => setTimeout(r, 60));
    expect(projector.lag().running).toBe(false);
    expect(store.entries).toHaveLength(0);
  });
});

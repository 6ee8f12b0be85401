import type { LedgerFinding } from '@approvals/application';
import { LogKeeper, eventLeaf, rangeHashOver } from '@approvals/application';
import { InMemoryEventStore } from '@approvals/testing';
import { openSqliteLedger } from './open-sqlite-ledger';

// The keeper takes each event once, whatever the subscription does: a transport that delivers
// every event twice (as after a reconnect), or a keeper started again while it runs.
describe('the ledger log keeper', () => {
  it('takes each event once when the subscription delivers every event twice, and when started again meanwhile', async () => {
    const events = new InMemoryEventStore({ deliverTwice: true });
    for (let i = 0; i < 40; i += 1) await events.appendToStream(`action-${i % 6}`, [{ eventId: `e${i}`, type: 'Noted', data: { i }, metadata: {} }]);
    const ledger = openSqliteLedger({ file: ':memory:' });
    const findings: LedgerFinding[] = [];
    const errors: unknown[] = [];
    const keeper = new LogKeeper(events, ledger.log, { densePositions: true, onFinding: (f) => findings.push(f), onError: (e) => errors.push(e), batchSize: 7 });

    await Promise.all([keeper.start(), keeper.start()]);
    await keeper.start();
    await keeper.stop();

    const saved = await ledger.log.load();
    const leaves = (await events.readAll()).map(eventLeaf);
    expect([findings, errors]).toEqual([[], []]);
    expect(saved!.frontier.size).toBe(40);
    expect(saved!.frontier.root()).toEqual(rangeHashOver(leaves)(0, 40));
    await ledger.close();
  });
});

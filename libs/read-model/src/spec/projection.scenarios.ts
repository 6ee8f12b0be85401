import { projectEvent, type ProjectedEvent } from '@approvals/application';
import { ReadModelClosedError } from '../read-model-closed.error';
import { AuditFixture, type ReadModelBackend } from './audit-fixture';

/** How projecting into a read model behaves, the same for every {@link ReadModelBackend}. */
export function describeProjectionScenarios(backend: ReadModelBackend): void {
  describe(`audit projection into ${backend.name}`, () => {
    let fixture: AuditFixture;
    const dump = () => fixture.storage.dump();

    beforeEach(async () => {
      fixture = await AuditFixture.open(backend);
    });

    afterEach(() => fixture.close());

    it('applies the same events twice without duplicating anything', async () => {
      await fixture.append({ actionId: 'a1', requestedAt: '2025-03-01T09:00:00Z' });
      const projected = (await fixture.ledger.events.readAll()).map((event) => projectEvent(event)!);

      const first: string[] = [];
      for (const event of projected) first.push(await fixture.readModel.apply(event));
      await fixture.readModel.flush();
      const once = await dump();
      const second: string[] = [];
      for (const event of projected) second.push(await fixture.readModel.apply(event));
      await fixture.readModel.flush();

      expect(first.every((outcome) => outcome === 'applied')).toBe(true);
      expect(second.every((outcome) => outcome === 'skipped')).toBe(true);
      expect(await dump()).toEqual(once);
      expect(once['timeline']).toHaveLength(9);
    });

    it('writes nothing for an event at or below the checkpoint, even one it has not seen', async () => {
      await fixture.append({ actionId: 'a1', requestedAt: '2025-03-01T09:00:00Z' });
      await fixture.project();
      const stale: ProjectedEvent = {
        position: 5n,
        entry: { ...(await fixture.readModel.getTimeline('a1'))!.entries[0]!, eventId: 'forged', revision: 99, position: 5n },
        change: { actionId: 'a1', status: 'DENIED' },
      };

      expect(await fixture.readModel.apply(stale)).toBe('skipped');
      expect((await fixture.readModel.getTimeline('a1'))!.entries).toHaveLength(9);
      expect((await fixture.readModel.getTimeline('a1'))!.action!.status).toBe('APPROVED');
    });

    it('continues from its checkpoint after a stop and after a restart, without a gap', async () => {
      await fixture.append({ actionId: 'a1', requestedAt: '2025-03-01T09:00:00Z' });
      await fixture.project();
      await fixture.projector.stop();

      await fixture.append({ actionId: 'a2', requestedAt: '2025-03-01T10:00:00Z', outcome: 'EXPIRED' });
      await fixture.project();
      await fixture.reopenReadModel();
      expect(await fixture.readModel.loadCheckpoint()).toBe(15n);
      await fixture.append({ actionId: 'a3', requestedAt: '2025-03-01T11:00:00Z', outcome: 'CANCELLED' });
      await fixture.project();

      await fixture.readModel.flush();
      const positions = ((await dump())['timeline'] as { position: number }[]).map((row) => row.position);
      expect(positions).toEqual(Array.from({ length: 21 }, (_, i) => i + 1));
      expect(fixture.projector.lag()).toMatchObject({ position: 21n, running: true, lastError: undefined });
    });

    it('follows live appends', async () => {
      await fixture.project();

      await fixture.append({ actionId: 'live', requestedAt: '2025-03-01T09:00:00Z', outcome: 'DENIED' });
      await fixture.project();

      const timeline = await fixture.queries.getTimeline('live');
      expect(timeline.ok && timeline.value.status).toBe('DENIED');
    });

    it('rebuilds from position 0 into an identical read model', async () => {
      await fixture.append(
        { actionId: 'a1', requestedAt: '2025-03-01T09:00:00Z' },
        { actionId: 'a2', requestedAt: '2025-03-01T10:00:00Z', outcome: 'DENIED' },
        { actionId: 'a3', requestedAt: '2025-03-01T11:00:00Z', outcome: 'AWAITING_APPROVAL' },
      );
      await fixture.project();
      await fixture.readModel.flush();
      const before = await dump();

      await fixture.projector.rebuild();
      await fixture.readModel.flush();

      expect(await dump()).toEqual(before);
      expect(fixture.projector.lag()).toMatchObject({ position: 21n, running: true, caughtUp: true });
    });

    it('refuses to work once closed', async () => {
      await fixture.readModel.close();

      await expect(fixture.readModel.loadCheckpoint()).rejects.toBeInstanceOf(ReadModelClosedError);
      fixture.readModel = await fixture.storage.openReadModel();
    });
  });
}

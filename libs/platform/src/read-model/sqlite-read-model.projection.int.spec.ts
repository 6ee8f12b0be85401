import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { projectEvent, type ProjectedEvent } from '@approvals/application';
import { openSqliteReadModel, READ_MODEL_FILE_NAME } from './open-sqlite-read-model';
import { READ_MODEL_SCHEMA_VERSION } from './read-model-schema';
import { ReadModelClosedError } from './sqlite-read-model-store';
import { AuditFixture } from './spec/audit-fixture';

/** Every row of every read-model table, in a stable order. */
function dump(file: string): Record<string, unknown[]> {
  const db = new DatabaseSync(file, { readOnly: true });
  try {
    return {
      checkpoint: db.prepare('SELECT * FROM projection_checkpoint').all(),
      actions: db.prepare('SELECT * FROM actions ORDER BY action_id').all(),
      voters: db.prepare('SELECT * FROM action_voters ORDER BY action_id, approver_id').all(),
      timeline: db.prepare('SELECT * FROM timeline ORDER BY position').all(),
    };
  } finally {
    db.close();
  }
}

describe('audit projection into the embedded read model', () => {
  let fixture: AuditFixture;
  let file: string;

  beforeEach(() => {
    fixture = new AuditFixture();
    file = join(fixture.dataDir, READ_MODEL_FILE_NAME);
  });

  afterEach(() => fixture.close());

  it('applies the same events twice without duplicating anything', async () => {
    await fixture.append({ actionId: 'a1', requestedAt: '2025-03-01T09:00:00Z' });
    const projected = (await fixture.ledger.events.readAll()).map((event) => projectEvent(event)!);

    const first: string[] = [];
    for (const event of projected) first.push(await fixture.readModel.apply(event));
    await fixture.readModel.flush();
    const once = dump(file);
    const second: string[] = [];
    for (const event of projected) second.push(await fixture.readModel.apply(event));
    await fixture.readModel.flush();

    expect(first.every((outcome) => outcome === 'applied')).toBe(true);
    expect(second.every((outcome) => outcome === 'skipped')).toBe(true);
    expect(dump(file)).toEqual(once);
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
    const positions = (dump(file)['timeline'] as { position: number }[]).map((row) => row.position);
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
    const before = dump(file);

    await fixture.projector.rebuild();

    expect(dump(file)).toEqual(before);
    expect(fixture.projector.lag()).toMatchObject({ position: 21n, running: true, caughtUp: true });
  });

  it('keeps the schema versioned, in WAL mode and indexed for every filter', async () => {
    await fixture.readModel.close();

    const db = new DatabaseSync(file, { readOnly: true });
    const indexes = db.prepare("SELECT name FROM sqlite_master WHERE type = 'index' AND name NOT LIKE 'sqlite_%'").all().map((row) => row['name']);
    const version = db.prepare('PRAGMA user_version').get();
    const journal = db.prepare('PRAGMA journal_mode').get();
    db.close();

    expect(version).toEqual({ user_version: READ_MODEL_SCHEMA_VERSION });
    expect(journal).toEqual({ journal_mode: 'wal' });
    expect(indexes).toEqual(
      expect.arrayContaining(['actions_newest_first', 'actions_by_agent', 'actions_by_action', 'actions_by_status', 'actions_by_environment']),
    );
    fixture.readModel = openSqliteReadModel({ file });
  });

  it('refuses a read model written by a newer build', async () => {
    await fixture.readModel.close();
    const db = new DatabaseSync(file);
    db.exec(`PRAGMA user_version = ${READ_MODEL_SCHEMA_VERSION + 1}`);
    db.close();

    expect(() => openSqliteReadModel({ file })).toThrow(/newer than this build supports .* delete the file to rebuild it from the ledger/);
    fixture.readModel = openSqliteReadModel({ file: ':memory:' });
  });

  it('refuses to work once closed', async () => {
    await fixture.readModel.close();

    await expect(fixture.readModel.loadCheckpoint()).rejects.toBeInstanceOf(ReadModelClosedError);
    fixture.readModel = openSqliteReadModel({ file: ':memory:' });
  });
});

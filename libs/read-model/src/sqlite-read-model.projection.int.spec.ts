import { DatabaseSync } from 'node:sqlite';
import { openSqliteReadModel } from './open-sqlite-read-model';
import { READ_MODEL_SCHEMA_VERSION } from './read-model-schema';
import { AuditFixture } from './spec/audit-fixture';
import { describeProjectionScenarios } from './spec/projection.scenarios';
import { sqliteBackend } from './spec/sqlite-backend';

describeProjectionScenarios(sqliteBackend);

describe('the embedded read model file', () => {
  let fixture: AuditFixture;
  let file: string;

  beforeEach(async () => {
    fixture = await AuditFixture.open(sqliteBackend);
    file = fixture.storage.location;
  });

  afterEach(() => fixture.close());

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
});

import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
// The shared tamper suite lives in the testing library; only this spec uses it.
import { describeLedgerTamperSuite } from '@approvals/testing';
import { openSqliteLedger } from './open-sqlite-ledger';

describeLedgerTamperSuite('SQLite (a file of its own)', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'approvals-ledger-log-'));
  const file = join(dir, 'ledger.sqlite');
  const admin = <T>(work: (db: DatabaseSync) => T): T => {
    const db = new DatabaseSync(file);
    try {
      db.exec('DROP TRIGGER IF EXISTS events_append_only_update; DROP TRIGGER IF EXISTS events_append_only_delete;');
      return work(db);
    } finally {
      db.close();
    }
  };
  return {
    open: async () => openSqliteLedger({ file }),
    sql: async (...statements) => admin((db) => statements.forEach((sql) => db.exec(sql))),
    value: async (sql) => admin((db) => Object.values(db.prepare(sql).get()!)[0] as number),
    backup: async () => copyFileSync(file, join(dir, 'backup.sqlite')),
    restore: async () => {
      copyFileSync(join(dir, 'backup.sqlite'), file);
      rmSync(`${file}-wal`, { force: true });
      rmSync(`${file}-shm`, { force: true });
    },
    setActorSql: (position) => `UPDATE events SET metadata = json_set(metadata, '$.actor', json('{"kind":"agent","id":"someone-else"}')) WHERE position = ${position}`,
    dispose: async () => rmSync(dir, { recursive: true, force: true }),
  };
});

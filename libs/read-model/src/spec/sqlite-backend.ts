import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { openSqliteLedger } from '@approvals/ledger-sqlite';
import { openSqliteReadModel, READ_MODEL_FILE_NAME } from '../open-sqlite-read-model';
import type { AuditStorage, ReadModelBackend, ReadModelDump } from './audit-fixture';

/** Every row of every table of the read-model file, in a stable order. */
export function dumpSqliteReadModel(file: string): ReadModelDump {
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

/** The embedded store: a SQLite ledger and read model in a fresh data directory. */
export const sqliteBackend: ReadModelBackend = {
  name: 'the embedded read model',
  async open(): Promise<AuditStorage> {
    const dataDir = mkdtempSync(join(tmpdir(), 'audit-read-model-'));
    const filesStartingWith = (prefix: string): Buffer[] =>
      readdirSync(dataDir)
        .filter((name) => name.startsWith(prefix))
        .map((name) => readFileSync(join(dataDir, name)));
    const file = join(dataDir, READ_MODEL_FILE_NAME);
    return {
      location: file,
      ledger: openSqliteLedger({ dataDir, pollIntervalMs: 20 }),
      openReadModel: async () => openSqliteReadModel({ dataDir }),
      dump: async () => dumpSqliteReadModel(file),
      readModelBytes: async () => filesStartingWith('audit-read-model'),
      ledgerBytes: async () => filesStartingWith('ledger'),
      dispose: async () => rmSync(dataDir, { recursive: true, force: true }),
    };
  },
};

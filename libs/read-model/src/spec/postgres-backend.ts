import { randomUUID } from 'node:crypto';
import { Client, types } from 'pg';
import { testPostgresUrl } from '@approvals/testing';
import { openPostgresLedger } from '@approvals/ledger-postgres';
import { openPostgresReadModel } from '../postgres/open-postgres-read-model';
import type { AuditStorage, ReadModelBackend, ReadModelDump } from './audit-fixture';

// Against the real PostgreSQL server (127.0.0.1:5432, trust auth, database `test` unless
// APPROVALS_TEST_POSTGRES_URL says otherwise). Every fixture lives in a schema of its own, so runs
// and tests never see each other's data; the spec drops them all in afterAll.

/** Schemas this test file has created; {@link dropTestSchemas} drops them. */
const schemas: string[] = [];

/** A fresh, random schema name, remembered for {@link dropTestSchemas}. */
export function newTestSchema(): string {
  const schema = `read_model_test_${randomUUID().replaceAll('-', '').slice(0, 16)}`;
  schemas.push(schema);
  return schema;
}

/** Runs `work` on a connection of its own; bigint columns come back as numbers, as from SQLite. */
export async function withPostgres<T>(work: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({
    connectionString: testPostgresUrl(),
    types: { getTypeParser: (oid: number, format?: 'text' | 'binary') => (oid === types.builtins.INT8 ? Number : types.getTypeParser(oid, format)) },
  });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/** Drops every schema {@link newTestSchema} handed out (call it in afterAll). */
export async function dropTestSchemas(): Promise<void> {
  const dropping = schemas.splice(0);
  await withPostgres(async (client) => {
    for (const schema of dropping) await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  });
}

/**
 * Every row of every read-model table in `schema`, in the same order as the SQLite dump, from one
 * snapshot (a commit landing between two of the reads must not make the dump inconsistent).
 */
export function dumpPostgresReadModel(schema: string): Promise<ReadModelDump> {
  return withPostgres(async (client) => {
    const all = async (sql: string) => (await client.query(sql)).rows as unknown[];
    await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
    try {
      return {
        checkpoint: await all(`SELECT * FROM "${schema}".projection_checkpoint`),
        actions: await all(`SELECT * FROM "${schema}".actions ORDER BY action_id`),
        voters: await all(`SELECT * FROM "${schema}".action_voters ORDER BY action_id, approver_id`),
        timeline: await all(`SELECT * FROM "${schema}".timeline ORDER BY position`),
      };
    } finally {
      await client.query('COMMIT');
    }
  });
}

/** The rows of each table, as text: what the server stores. */
const tableContents = (schema: string, tables: string[]): Promise<Buffer[]> =>
  withPostgres(async (client) => {
    const contents: Buffer[] = [];
    for (const table of tables) {
      const { rows } = await client.query<{ text: string | null }>(`SELECT string_agg(t::text, E'\\n') AS text FROM "${schema}".${table} t`);
      contents.push(Buffer.from(rows[0]?.text ?? ''));
    }
    return contents;
  });

/**
 * The distributed store: the PostgreSQL ledger and read model, by default sharing one random
 * schema (as they would share the configured one), or each in a schema of its own.
 */
export function postgresBackend(layout: 'shared schema' | 'own schemas' = 'shared schema'): ReadModelBackend {
  return {
    name: `the PostgreSQL read model (${layout} with the ledger)`,
    async open(): Promise<AuditStorage> {
      const ledgerSchema = newTestSchema();
      const schema = layout === 'shared schema' ? ledgerSchema : newTestSchema();
      const connectionString = testPostgresUrl();
      return {
        location: schema,
        ledger: await openPostgresLedger({ connectionString, schema: ledgerSchema, pollIntervalMs: 20 }),
        openReadModel: () => openPostgresReadModel({ connectionString, schema }),
        dump: () => dumpPostgresReadModel(schema),
        readModelBytes: () => tableContents(schema, ['projection_checkpoint', 'actions', 'action_voters', 'timeline']),
        ledgerBytes: () => tableContents(ledgerSchema, ['events']),
        dispose: async () => undefined,
      };
    },
  };
}

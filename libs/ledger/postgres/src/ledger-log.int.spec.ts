import { randomUUID } from 'node:crypto';
import type { Client } from 'pg';
// The shared tamper suite lives in the testing library; only this spec uses it.
import { describeLedgerTamperSuite, testPostgresUrl, withTestPostgres } from '@approvals/testing';
import { openPostgresLedger } from './open-postgres-ledger';

// Against the real PostgreSQL server; every ledger in a schema of its own, dropped afterwards.
jest.setTimeout(60_000);

const url = testPostgresUrl();

const admin = <T>(work: (client: Client) => Promise<T>): Promise<T> => withTestPostgres(work, url);

/** The ledger's tables, copied aside by a backup and put back by a restore. */
const tables = ['events', 'ledger_head', 'log_state', 'log_nodes', 'log_stream_heads', 'log_findings'];

describeLedgerTamperSuite('PostgreSQL (a schema of its own)', async () => {
  const schema = `ledger_tamper_${randomUUID().replaceAll('-', '').slice(0, 16)}`;
  const run = (statements: string[]) =>
    admin(async (client) => {
      await client.query(`SET search_path TO "${schema}"`);
      // A database administrator's session: the append-only triggers do not fire for it.
      await client.query('SET session_replication_role = replica');
      let last: unknown;
      for (const sql of statements) last = (await client.query(sql)).rows[0];
      return last as Record<string, unknown> | undefined;
    });
  return {
    open: () => openPostgresLedger({ connectionString: url, schema, pollIntervalMs: 200 }),
    sql: async (...statements) => void (await run(statements)),
    value: async (sql) => Object.values((await run([sql]))!)[0] as string,
    backup: async () => void (await run(tables.map((t) => `CREATE TABLE backup_${t} AS SELECT * FROM ${t}`))),
    restore: async () => void (await run(tables.flatMap((t) => [`DELETE FROM ${t}`, `INSERT INTO ${t} SELECT * FROM backup_${t}`]))),
    setActorSql: (position) => `UPDATE events SET metadata = jsonb_set(metadata::jsonb, '{actor}', '{"kind":"agent","id":"someone-else"}')::text WHERE position = ${position}`,
    dispose: () => admin(async (client) => void (await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`))),
  };
});

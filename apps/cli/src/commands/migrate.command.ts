import type { PoolClient } from 'pg';
import { ConfigError, loadConfig, type AppConfig } from '@approvals/config';
import { migrate as migrateLedger } from '@approvals/ledger-postgres';
import { createPool, describePostgres, withPoolClient, type MigrationMode } from '@approvals/postgres';
import { migrateReadModelPg } from '@approvals/read-model';
import { migrateServiceState } from '@approvals/service-state';
import { parseCommandArgs } from '../args';
import { CliError, ExitCode } from '../errors';
import { printJson, type Command } from './command';

interface Schema {
  what: string;
  connectionString: string;
  schema: string;
  migrate: (client: PoolClient, schema: string, mode: MigrationMode) => Promise<number[]>;
}

/** The PostgreSQL schemas the configuration uses (the SQLite files of embedded mode migrate as they open). */
function schemasOf(config: AppConfig): Schema[] {
  const schemas: Schema[] = [];
  const { ledger, readModel, state } = config;
  if (ledger.store === 'postgres') schemas.push({ what: 'ledger', connectionString: ledger.connectionString, schema: ledger.schema, migrate: migrateLedger });
  if (ledger.store === 'kurrentdb' && ledger.log?.store === 'postgres') {
    schemas.push({ what: 'ledger log', connectionString: ledger.log.connectionString, schema: ledger.log.schema, migrate: migrateLedger });
  }
  if (readModel.store === 'postgres') schemas.push({ what: 'audit read model', connectionString: readModel.connectionString, schema: readModel.schema, migrate: migrateReadModelPg });
  if (state.store === 'postgres') schemas.push({ what: 'service state', connectionString: state.connectionString, schema: state.schema, migrate: migrateServiceState });
  return schemas;
}

const options = {
  check: { type: 'boolean', description: 'change nothing: exit 1 when a schema is not at the version this program needs' },
} as const;

export const migrateCommand: Command = {
  name: 'migrate',
  synopsis: 'migrate [--check]',
  summary: 'bring the PostgreSQL schemas up to date: the explicit step before a rollout',
  description:
    'Reads the settings the services read (APPROVALS_LEDGER_STORE, APPROVALS_POSTGRES_URL, APPROVALS_READ_MODEL_STORE, APPROVALS_STATE_STORE ' +
    'and their schemas) and applies to each PostgreSQL schema the migrations it lacks: the ledger (or a KurrentDB ledger\'s log), the audit read model ' +
    'and the state the replicas share. Each schema migrates in one transaction; concurrent runs wait for each other. Run it (the migration Job) ' +
    'before starting replicas with APPROVALS_MIGRATIONS=explicit, which refuse a schema they do not know. Embedded SQLite files migrate as they open.',
  options,
  async run(args, ctx) {
    const { values } = parseCommandArgs('migrate', args, options);
    let config: AppConfig;
    try {
      config = loadConfig();
    } catch (error) {
      if (error instanceof ConfigError) throw new CliError(`migrate: ${error.message}`);
      throw error;
    }
    const schemas = schemasOf(config);
    if (schemas.length === 0) {
      if (ctx.json) printJson(ctx.io, { schemas: [] });
      else ctx.io.out('nothing to migrate: no store is on PostgreSQL (embedded SQLite files migrate as they open)');
      return ExitCode.ok;
    }
    const results: { what: string; schema: string; location: string; applied: number[]; error?: string }[] = [];
    for (const target of schemas) {
      const location = describePostgres(target.connectionString, target.schema);
      ctx.io.progress?.(`migrating the ${target.what} at ${location} ...`);
      const pool = createPool(target.connectionString, 1, () => undefined);
      try {
        const applied = await withPoolClient(pool, (client) => target.migrate(client, target.schema, values.check ? 'verify' : 'apply'));
        results.push({ what: target.what, schema: target.schema, location, applied });
      } catch (error) {
        results.push({ what: target.what, schema: target.schema, location, applied: [], error: (error as Error).message });
      } finally {
        await pool.end().catch(() => undefined);
      }
    }
    ctx.io.progress?.('');
    if (ctx.json) printJson(ctx.io, { schemas: results });
    else {
      for (const { what, location, applied, error } of results) {
        if (error) ctx.io.err(`${what} at ${location}: ${error}`);
        else if (values.check) ctx.io.out(`${what} at ${location}: current`);
        else ctx.io.out(`${what} at ${location}: ${applied.length ? `applied migration${applied.length > 1 ? 's' : ''} ${applied.join(', ')}` : 'already current'}`);
      }
    }
    return results.some((result) => result.error) ? ExitCode.failure : ExitCode.ok;
  },
};

import type { ReadModelStore } from '@approvals/application';
import { openSqliteReadModel } from './open-sqlite-read-model';
import { openPostgresReadModel } from './postgres/open-postgres-read-model';

/** Where the audit read model lives: a SQLite file (embedded) or a PostgreSQL schema. */
export type ReadModelSpec =
  | { store: 'embedded'; file: string }
  /** `migrations: 'verify'`: the schema is migrated by an explicit step (approvals migrate), only checked here. */
  | { store: 'postgres'; connectionString: string; schema: string; migrations?: 'apply' | 'verify' };

/** A read model the projector writes and the queries read; closed with the process. */
export type OpenReadModel = ReadModelStore & { close(): Promise<void> };

/** Opens the read model that configuration names (SQLite files are checkpointed by the caller's WalCheckpointer). */
export async function openReadModel(spec: ReadModelSpec, onError?: (error: unknown) => void): Promise<OpenReadModel> {
  switch (spec.store) {
    case 'embedded':
      return openSqliteReadModel({ file: spec.file, walAutoCheckpoint: false });
    case 'postgres':
      return openPostgresReadModel({
        connectionString: spec.connectionString,
        schema: spec.schema,
        ...(spec.migrations ? { migrations: spec.migrations } : {}),
        ...(onError ? { onError } : {}),
      });
    default: {
      const never: never = spec;
      throw new TypeError(`unknown read model store ${JSON.stringify(never)}`);
    }
  }
}

import { join } from 'node:path';
import { ConfigProblem, configSection } from '@approvals/contracts';
import type { LedgerSpec } from '@approvals/ledger';
import { LEDGER_LOG_FILE_NAME } from '@approvals/ledger-sqlite';
import { validSchemaName } from '@approvals/postgres';
import type { ReadModelSpec } from '@approvals/read-model';
import type { ServiceStateSpec } from '@approvals/service-state';
import { z } from 'zod';
import { dataFiles } from '../data-files';
import { keyFile, positiveInt } from './common';

export interface CheckpointSettings {
  /** APPROVALS_LEDGER_LOG: off only to measure what the log costs (npm run bench -- --mode verify); no stream is checked then. */
  enabled: boolean;
  origin: string;
  keys: { file: string; generateIfMissing: boolean };
  everyEvents: number;
  intervalMs: number;
  witnessFile: string;
  witnessWebhook?: { url: string; secret: string } | undefined;
}

const schemaName = z.string().regex(validSchemaName, 'must be a lower-case identifier (letters, digits, _)');

/** Where the ledger, its log and checkpoints, and the read model are kept. */
export const storageSection = configSection({
  env: {
    APPROVALS_LEDGER_STORE: z.enum(['embedded', 'postgres', 'kurrentdb'], { message: 'must be embedded, postgres or kurrentdb' }).default('embedded'),
    APPROVALS_POSTGRES_URL: z
      .string()
      .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// connection string')
      .optional(),
    APPROVALS_POSTGRES_SCHEMA: schemaName.default('approvals'),
    APPROVALS_READ_MODEL_STORE: z.enum(['embedded', 'postgres'], { message: 'must be embedded or postgres' }).default('embedded'),
    APPROVALS_READ_MODEL_SCHEMA: schemaName.default('approvals_read_model'),
    APPROVALS_STATE_STORE: z.enum(['embedded', 'postgres'], { message: 'must be embedded or postgres' }).optional(),
    APPROVALS_STATE_SCHEMA: schemaName.optional(),
    APPROVALS_MIGRATIONS: z.enum(['on-start', 'explicit'], { message: 'must be on-start or explicit' }).default('on-start'),
    APPROVALS_LEASE_TTL_MS: z.coerce.number({ message: 'must be a number' }).int('must be a whole number').min(1000, 'must be at least 1000').default(15_000),
    APPROVALS_LEDGER_LOG_SCHEMA: schemaName.default('approvals_ledger_log'),
    APPROVALS_KURRENTDB_CONNECTION_STRING: z
      .string()
      .regex(/^(kurrentdb|kdb|esdb|kurrentdb\+discover|esdb\+discover):\/\//, 'must be a kurrentdb:// (or esdb://) connection string')
      .optional(),
    APPROVALS_LOG_ORIGIN: z
      .string()
      .regex(/^[\x21-\x7e]+$/, 'must be one word of printable ASCII, such as approvals.example.com/ledger')
      .refine((origin) => !origin.includes('+'), 'must not contain "+"')
      .default('approvals.local/ledger'),
    APPROVALS_CHECKPOINT_KEYS_FILE: z.string().min(1).optional(),
    APPROVALS_LEDGER_LOG: z.enum(['on', 'off'], { error: 'must be on or off' }).default('on'),
    APPROVALS_CHECKPOINT_EVERY: positiveInt(1000),
    APPROVALS_CHECKPOINT_INTERVAL_MS: positiveInt(30_000),
    APPROVALS_WITNESS_FILE: z.string().min(1).optional(),
    APPROVALS_WITNESS_WEBHOOK_URL: z.string().url('must be a URL').optional(),
    APPROVALS_WITNESS_WEBHOOK_SECRET: z.string().regex(/^whsec_[A-Za-z0-9+/=]{16,}$/, 'must be a Standard Webhooks secret (whsec_ and base64)').optional(),
    APPROVALS_SQLITE_CHECKPOINT_MS: positiveInt(50),
    APPROVALS_SQLITE_WAL_MAX_MB: positiveInt(64),
  },
  read(c, { path, dataDir }) {
    const missing = (name: string) => new ConfigProblem(`${name} is required when APPROVALS_LEDGER_STORE=${c.APPROVALS_LEDGER_STORE}`);
    if (c.APPROVALS_LEDGER_STORE === 'postgres' && !c.APPROVALS_POSTGRES_URL) throw missing('APPROVALS_POSTGRES_URL');
    if (c.APPROVALS_LEDGER_STORE === 'kurrentdb' && !c.APPROVALS_KURRENTDB_CONNECTION_STRING) throw missing('APPROVALS_KURRENTDB_CONNECTION_STRING');
    if (c.APPROVALS_READ_MODEL_STORE === 'postgres' && !c.APPROVALS_POSTGRES_URL) throw new ConfigProblem('APPROVALS_POSTGRES_URL is required when APPROVALS_READ_MODEL_STORE=postgres');
    // The state replicas share goes to PostgreSQL when the ledger, or a KurrentDB ledger's log, is there, unless told otherwise.
    const onPostgres = c.APPROVALS_LEDGER_STORE === 'postgres' || (c.APPROVALS_LEDGER_STORE === 'kurrentdb' && c.APPROVALS_POSTGRES_URL !== undefined);
    const stateStore = c.APPROVALS_STATE_STORE ?? (onPostgres ? 'postgres' : 'embedded');
    if (stateStore === 'postgres' && !c.APPROVALS_POSTGRES_URL) throw new ConfigProblem('APPROVALS_POSTGRES_URL is required when APPROVALS_STATE_STORE=postgres');
    if (!c.APPROVALS_WITNESS_WEBHOOK_URL !== !c.APPROVALS_WITNESS_WEBHOOK_SECRET) {
      throw new ConfigProblem('APPROVALS_WITNESS_WEBHOOK_URL and APPROVALS_WITNESS_WEBHOOK_SECRET go together');
    }
    const files = dataFiles({ dataDir });
    // explicit: the schemas are migrated by \`approvals migrate\` (a Job) before a rollout; replicas only check them.
    const migrations = c.APPROVALS_MIGRATIONS === 'explicit' ? ('verify' as const) : ('apply' as const);
    const ledger: LedgerSpec =
      c.APPROVALS_LEDGER_STORE === 'postgres'
        ? { store: 'postgres', connectionString: c.APPROVALS_POSTGRES_URL!, schema: c.APPROVALS_POSTGRES_SCHEMA, migrations }
        : c.APPROVALS_LEDGER_STORE === 'kurrentdb'
          ? {
              store: 'kurrentdb',
              connectionString: c.APPROVALS_KURRENTDB_CONNECTION_STRING!,
              // Its log: in PostgreSQL when there is one (every replica shares it), else beside the data.
              ...(c.APPROVALS_LEDGER_LOG === 'off'
                ? {}
                : {
                    log: c.APPROVALS_POSTGRES_URL
                      ? { store: 'postgres' as const, connectionString: c.APPROVALS_POSTGRES_URL, schema: c.APPROVALS_LEDGER_LOG_SCHEMA, migrations }
                      : { store: 'embedded' as const, file: join(dataDir, LEDGER_LOG_FILE_NAME) },
                  }),
            }
          : { store: 'embedded', file: files.ledger };
    const readModel: ReadModelSpec =
      c.APPROVALS_READ_MODEL_STORE === 'postgres'
        ? { store: 'postgres', connectionString: c.APPROVALS_POSTGRES_URL!, schema: c.APPROVALS_READ_MODEL_SCHEMA, migrations }
        : { store: 'embedded', file: files.readModel };
    const state: ServiceStateSpec =
      stateStore === 'postgres'
        ? { store: 'postgres', connectionString: c.APPROVALS_POSTGRES_URL!, schema: c.APPROVALS_STATE_SCHEMA ?? `${c.APPROVALS_POSTGRES_SCHEMA}_state`.slice(0, 63), migrations }
        : { store: 'embedded', notifierFile: files.notifier };
    return {
      /** Which ledger adapter, and where (APPROVALS_LEDGER_STORE and its connection settings). */
      ledger,
      /**
       * What the replicas of a service share beside the ledger (APPROVALS_STATE_STORE, default where
       * the ledger is; APPROVALS_STATE_SCHEMA, default the ledger's schema and _state): leases and
       * the notifier's pending list.
       */
      state,
      /** APPROVALS_MIGRATIONS: 'apply' at start-up (default), or 'verify' only (explicit: \`approvals migrate\` runs them). */
      migrations,
      /** How long a lease lasts unless renewed (APPROVALS_LEASE_TTL_MS): the takeover time after a replica dies. */
      leaseTtlMs: c.APPROVALS_LEASE_TTL_MS,
      /** Where the audit projector keeps its read model (APPROVALS_READ_MODEL_STORE). */
      readModel,
      /**
       * Signed checkpoints of the ledger's Merkle tree (I8): the log's origin line, the signing keys
       * (APPROVALS_CHECKPOINT_KEYS_FILE, which must exist; else generated under the data directory),
       * how often (every N events or T ms, whichever comes first), and the witnesses outside the
       * database: an append-only file (default under the data directory) and an optional signed webhook.
       */
      checkpoints: {
        enabled: c.APPROVALS_LEDGER_LOG === 'on',
        origin: c.APPROVALS_LOG_ORIGIN,
        keys: keyFile(c.APPROVALS_CHECKPOINT_KEYS_FILE, join(dataDir, 'keys', 'checkpoint-signing-key.json'), path),
        everyEvents: c.APPROVALS_CHECKPOINT_EVERY,
        intervalMs: c.APPROVALS_CHECKPOINT_INTERVAL_MS,
        witnessFile: c.APPROVALS_WITNESS_FILE ? path(c.APPROVALS_WITNESS_FILE) : join(dataDir, 'witness', 'checkpoints.jsonl'),
        ...(c.APPROVALS_WITNESS_WEBHOOK_URL ? { witnessWebhook: { url: c.APPROVALS_WITNESS_WEBHOOK_URL, secret: c.APPROVALS_WITNESS_WEBHOOK_SECRET! } } : {}),
      } satisfies CheckpointSettings as CheckpointSettings,
      sqliteCheckpointMs: c.APPROVALS_SQLITE_CHECKPOINT_MS,
      /** The bound on each SQLite write-ahead log (APPROVALS_SQLITE_WAL_MAX_MB), in bytes. */
      sqliteWalMaxBytes: c.APPROVALS_SQLITE_WAL_MAX_MB * 2 ** 20,
    };
  },
});

import type { CheckpointStore, EventStore, LogStore } from '@approvals/application';

// Each store's adapter is loaded when a ledger of its kind is opened, so a program that opens an
// embedded ledger (the CLI's `audit verify` on a file) never loads pg or the KurrentDB client.
const sqliteStore = () => import('@approvals/ledger-sqlite');
const postgresStore = () => import('@approvals/ledger-postgres');
const kurrentDbStore = () => import('@approvals/ledger-kurrentdb');

/**
 * Which ledger adapter to open, and where: plain data, so it can cross into a worker thread and
 * come from configuration (APPROVALS_LEDGER_STORE and the matching connection settings).
 */
export type LedgerSpec =
  | { store: 'embedded'; file: string }
  /** `migrations: 'verify'`: the schema is migrated by an explicit step (approvals migrate), only checked here. */
  | { store: 'postgres'; connectionString: string; schema: string; migrations?: 'apply' | 'verify' }
  | { store: 'kurrentdb'; connectionString: string; log?: LedgerLogSpec };

/**
 * Where a KurrentDB ledger keeps its log (the Merkle tree over `$all`, recorded stream heads, each
 * leaf's position, checkpoints): a PostgreSQL schema that every replica shares, or a SQLite file
 * for a single instance. The tables are those of a ledger of that kind, whose events table stays
 * empty. Without it, the ledger keeps no log.
 */
export type LedgerLogSpec = { store: 'embedded'; file: string } | { store: 'postgres'; connectionString: string; schema: string; migrations?: 'apply' | 'verify' };

export type LedgerStoreKind = LedgerSpec['store'];

/** An opened ledger, whatever the adapter. */
export interface Ledger {
  readonly spec: LedgerSpec;
  readonly events: EventStore;
  readonly checkpoints: CheckpointStore;
  /** The ledger log beside the events (Merkle tree, recorded stream heads), where the adapter keeps one. */
  readonly log?: LogStore | undefined;
  /** Global positions are 1, 2, 3, ... without gaps, so a gap means a removed event. */
  readonly densePositions: boolean;
  /** Where it is, without secrets (for logs and errors). */
  readonly location: string;
  close(): Promise<void>;
}

export interface LedgerTuning {
  /** How often idle subscriptions re-read without being told of an append. */
  pollIntervalMs?: number;
  /** Embedded only: false when a WalCheckpointer checkpoints the file in the background. */
  walAutoCheckpoint?: boolean;
  onError?: (error: unknown) => void;
}

/** Opens the ledger the spec names; a server that cannot be reached rejects with a clear error. */
export async function openLedger(spec: LedgerSpec, tuning: LedgerTuning = {}): Promise<Ledger> {
  switch (spec.store) {
    case 'embedded': {
      const { openSqliteLedger } = await sqliteStore();
      const ledger = openSqliteLedger({
        file: spec.file,
        ...(tuning.pollIntervalMs !== undefined ? { pollIntervalMs: tuning.pollIntervalMs } : {}),
        walAutoCheckpoint: tuning.walAutoCheckpoint ?? true,
      });
      return { spec, events: ledger.events, checkpoints: ledger.checkpoints, log: ledger.log, densePositions: true, location: ledger.file, close: () => ledger.close() };
    }
    case 'postgres': {
      const { openPostgresLedger } = await postgresStore();
      const ledger = await openPostgresLedger({
        connectionString: spec.connectionString,
        schema: spec.schema,
        ...(spec.migrations ? { migrations: spec.migrations } : {}),
        ...(tuning.pollIntervalMs !== undefined ? { pollIntervalMs: Math.max(tuning.pollIntervalMs, 250) } : {}),
        ...(tuning.onError ? { onError: tuning.onError } : {}),
      });
      return { spec, events: ledger.events, checkpoints: ledger.checkpoints, log: ledger.log, densePositions: true, location: ledger.location, close: () => ledger.close() };
    }
    case 'kurrentdb': {
      const { openKurrentDbLedger } = await kurrentDbStore();
      const ledger = await openKurrentDbLedger({
        connectionString: spec.connectionString,
        ...(tuning.pollIntervalMs !== undefined ? { pollIntervalMs: Math.max(tuning.pollIntervalMs, 250) } : {}),
        ...(tuning.onError ? { onError: tuning.onError } : {}),
      });
      let holder: { log: LogStore; close(): Promise<void> } | undefined;
      try {
        holder = spec.log ? await openLogHolder(spec.log, tuning) : undefined;
      } catch (error) {
        await ledger.close();
        throw error;
      }
      return {
        spec,
        events: ledger.events,
        checkpoints: ledger.checkpoints,
        log: holder?.log,
        densePositions: false,
        location: ledger.location,
        close: async () => {
          await ledger.close();
          await holder?.close();
        },
      };
    }
  }
}

/** The store that keeps a KurrentDB ledger's log: one of the other two ledgers, its events unused. */
export async function openLogHolder(spec: LedgerLogSpec, tuning: LedgerTuning): Promise<{ log: LogStore; close(): Promise<void> }> {
  if (spec.store === 'embedded') return (await sqliteStore()).openSqliteLedger({ file: spec.file, walAutoCheckpoint: tuning.walAutoCheckpoint ?? true });
  return (await postgresStore()).openPostgresLedger({
    connectionString: spec.connectionString,
    schema: spec.schema,
    ...(spec.migrations ? { migrations: spec.migrations } : {}),
    ...(tuning.onError ? { onError: tuning.onError } : {}),
  });
}

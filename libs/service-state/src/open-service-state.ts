import type { Pool } from 'pg';
import type { Leases, PendingApprovalStore, PersonalNoticeStore, ReplayGuard } from '@approvals/application';
import { InMemoryPersonalNoticeStore, InMemoryReplayGuard } from '@approvals/application';
import { createPool, describePostgres, validSchemaName, withPoolClient } from '@approvals/postgres';
import { LocalLeases } from './local-leases';
import { PostgresLeases } from './postgres/postgres-leases';
import { PostgresPendingApprovalStore } from './postgres/postgres-pending-approval.store';
import { PostgresPersonalNoticeStore } from './postgres/postgres-personal-notice.store';
import { PostgresReplayGuard } from './postgres/postgres-replay-guard';
import { migrateServiceState } from './postgres/schema';
import { SqlitePendingApprovalStore } from './sqlite-pending-approval.store';

/** Where the services keep the state their replicas share (APPROVALS_STATE_STORE). */
export type ServiceStateSpec =
  | { store: 'embedded'; notifierFile: string }
  /** `migrations: 'verify'`: the schema is migrated by an explicit step (approvals migrate), only checked here. */
  | { store: 'postgres'; connectionString: string; schema: string; migrations?: 'apply' | 'verify' };

export interface ServiceState {
  readonly spec: ServiceStateSpec;
  /** Leases for work that runs on one replica at a time (the outbox relay, the expiries, the notifier's clock). */
  readonly leases: Leases;
  /** Signed channel callbacks already accepted, so a replay is refused by every replica. */
  readonly replays: ReplayGuard;
  /** The notifier's digest windows, so one person gets one digest per window from all replicas. */
  readonly personalNotices: PersonalNoticeStore;
  /** The notifier's pending list (opened on first use: only the notifier needs it). */
  pendingApprovals(): PendingApprovalStore;
  close(): Promise<void>;
}

/**
 * Opens the shared service state: in embedded mode a SQLite file and in-process leases; in
 * PostgreSQL (distributed mode, every replica) the schema's tables, migrated first.
 */
export async function openServiceState(spec: ServiceStateSpec, onError: (error: unknown) => void = () => undefined): Promise<ServiceState> {
  if (spec.store === 'embedded') {
    let pending: SqlitePendingApprovalStore | undefined;
    return {
      spec,
      leases: new LocalLeases(),
      replays: new InMemoryReplayGuard(),
      personalNotices: new InMemoryPersonalNoticeStore(),
      pendingApprovals: () => (pending ??= new SqlitePendingApprovalStore(spec.notifierFile, { walAutoCheckpoint: false })),
      close: async () => pending?.close(),
    };
  }
  if (!validSchemaName.test(spec.schema)) throw new TypeError(`schema "${spec.schema}" must be a lower-case identifier`);
  const location = describePostgres(spec.connectionString, spec.schema);
  const pool: Pool = createPool(spec.connectionString, 5, onError);
  try {
    await withPoolClient(pool, (client) => migrateServiceState(client, spec.schema, spec.migrations));
  } catch (error) {
    await pool.end().catch(() => undefined);
    throw error;
  }
  const pending = new PostgresPendingApprovalStore(pool, spec.schema, location);
  return {
    spec,
    leases: new PostgresLeases(pool, spec.schema, location),
    replays: new PostgresReplayGuard(pool, spec.schema, location),
    personalNotices: new PostgresPersonalNoticeStore(pool, spec.schema, location),
    pendingApprovals: () => pending,
    close: () => pool.end(),
  };
}

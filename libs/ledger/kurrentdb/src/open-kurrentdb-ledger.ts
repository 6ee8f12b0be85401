import { KurrentDBClient } from '@kurrent/kurrentdb-client';
import { KurrentDbCheckpointStore } from './kurrentdb-checkpoint-store';
import { KurrentDbConnection } from './kurrentdb-connection';
import { describeKurrentDb } from './kurrentdb-errors';
import { KurrentDbEventStore, type KurrentDbEventStoreOptions } from './kurrentdb-event-store';

/** Where the server is, plus tuning; see docs/kurrentdb.md. */
export interface KurrentDbLedgerOptions extends KurrentDbEventStoreOptions {
  /** e.g. kurrentdb://localhost:2113?tls=false, or kurrentdb://admin:changeit@host:2113 with TLS. */
  connectionString: string;
}

/** An opened KurrentDB ledger: the event store and the checkpoint store share one client. */
export interface KurrentDbLedger {
  readonly events: KurrentDbEventStore;
  readonly checkpoints: KurrentDbCheckpointStore;
  /** Where the server is, without credentials (for logs and errors). */
  readonly location: string;
  /** Stops subscriptions and disposes the client; both stores reject afterwards. */
  close(): Promise<void>;
}

/**
 * Opens the ledger on a KurrentDB (or EventStoreDB 22.10+) server and reads the head of `$all`
 * once, so a server that cannot be reached fails here, with a KurrentDbUnavailableError that says
 * where and what to check, rather than at the first append.
 */
export async function openKurrentDbLedger(options: KurrentDbLedgerOptions): Promise<KurrentDbLedger> {
  const location = describeKurrentDb(options.connectionString);
  let client: KurrentDBClient;
  try {
    client = KurrentDBClient.connectionString(options.connectionString);
  } catch (error) {
    throw new TypeError(`cannot open the ledger at ${location}: ${(error as Error).message}`, { cause: error });
  }
  const connection = new KurrentDbConnection(client, location);
  const events = new KurrentDbEventStore(connection, options);
  try {
    await events.headPosition();
  } catch (error) {
    await events.close().catch(() => undefined);
    throw error;
  }
  return { events, checkpoints: new KurrentDbCheckpointStore(connection), location, close: () => events.close() };
}

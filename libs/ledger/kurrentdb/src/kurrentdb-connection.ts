import type { KurrentDBClient } from '@kurrent/kurrentdb-client';
import { LedgerClosedError } from '@approvals/ledger-core';
import { explainClientError } from './kurrentdb-errors';

/**
 * One client shared by the event store and the checkpoint store: every call goes through `call`,
 * which refuses work once closed and turns an unreachable server into a clear error.
 */
export class KurrentDbConnection {
  private closed = false;

  constructor(
    readonly client: KurrentDBClient,
    /** Where the server is, without credentials. */
    readonly location: string,
  ) {}

  get isClosed(): boolean {
    return this.closed;
  }

  assertOpen(): void {
    if (this.closed) throw new LedgerClosedError(this.location);
  }

  async call<T>(operation: string, work: (client: KurrentDBClient) => Promise<T>): Promise<T> {
    this.assertOpen();
    try {
      return await work(this.client);
    } catch (error) {
      throw explainClientError(error, this.location, operation);
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.client.dispose();
  }
}

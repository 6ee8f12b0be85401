import type { Pool } from 'pg';
import type { PendingApproval, PendingApprovalStore } from '@approvals/application';
import { asStoreError, queryOrUnavailable, quoteIdent, withPoolClient } from '@approvals/postgres';

/**
 * The notifier's pending approvals in PostgreSQL, shared by every notifier replica. An update
 * locks its row (SELECT … FOR UPDATE) for the read, the change and the write, so concurrent
 * changes of one item, from any replica, run one after the other and none is lost.
 */
export class PostgresPendingApprovalStore implements PendingApprovalStore {
  private readonly table: string;

  constructor(
    private readonly pool: Pool,
    schema: string,
    private readonly location: string,
  ) {
    this.table = `${quoteIdent(schema)}.pending_approvals`;
  }

  async get(actionId: string): Promise<PendingApproval | undefined> {
    const { rows } = await this.query<{ doc: string }>(`SELECT doc FROM ${this.table} WHERE action_id = $1`, [actionId]);
    return rows[0] ? (JSON.parse(rows[0].doc) as PendingApproval) : undefined;
  }

  async add(item: PendingApproval): Promise<PendingApproval> {
    const { rows } = await this.query<{ doc: string }>(
      // The no-op update makes RETURNING give the row kept, whether this insert made it or not.
      `INSERT INTO ${this.table} (action_id, requested_at, doc) VALUES ($1, $2, $3)
       ON CONFLICT (action_id) DO UPDATE SET action_id = excluded.action_id RETURNING doc`,
      [item.actionId, item.requestedAt, JSON.stringify(item)],
    );
    return JSON.parse(rows[0]!.doc) as PendingApproval;
  }

  async replace(item: PendingApproval): Promise<void> {
    await this.query(
      `INSERT INTO ${this.table} (action_id, requested_at, doc) VALUES ($1, $2, $3)
       ON CONFLICT (action_id) DO UPDATE SET requested_at = excluded.requested_at, doc = excluded.doc`,
      [item.actionId, item.requestedAt, JSON.stringify(item)],
    );
  }

  async update(actionId: string, change: (item: PendingApproval) => PendingApproval | undefined): Promise<PendingApproval | undefined> {
    try {
      return await withPoolClient(this.pool, async (client) => {
        await client.query('BEGIN');
        try {
          const { rows } = await client.query<{ doc: string }>(`SELECT doc FROM ${this.table} WHERE action_id = $1 FOR UPDATE`, [actionId]);
          const changed = rows[0] ? change(JSON.parse(rows[0].doc) as PendingApproval) : undefined;
          const kept = changed && { ...changed, actionId };
          if (kept) await client.query(`UPDATE ${this.table} SET requested_at = $2, doc = $3 WHERE action_id = $1`, [actionId, kept.requestedAt, JSON.stringify(kept)]);
          await client.query('COMMIT');
          return kept;
        } catch (error) {
          await client.query('ROLLBACK').catch(() => undefined);
          throw error;
        }
      });
    } catch (error) {
      throw asStoreError(error, this.location);
    }
  }

  async remove(actionId: string): Promise<void> {
    await this.query(`DELETE FROM ${this.table} WHERE action_id = $1`, [actionId]);
  }

  async list(limit: number): Promise<PendingApproval[]> {
    const { rows } = await this.query<{ doc: string }>(`SELECT doc FROM ${this.table} ORDER BY requested_at, action_id LIMIT $1`, [limit]);
    return rows.map((row) => JSON.parse(row.doc) as PendingApproval);
  }

  private query<R extends Record<string, unknown>>(text: string, values: unknown[]) {
    return queryOrUnavailable<R>(this.pool, this.location, text, values);
  }
}

import type { Pool } from 'pg';
import type { Leases } from '@approvals/application';
import { queryOrUnavailable, quoteIdent } from '@approvals/postgres';

/** Leases in PostgreSQL: one row per name; the server's clock decides when a lease has run out. */
export class PostgresLeases implements Leases {
  private readonly table: string;

  constructor(
    private readonly pool: Pool,
    schema: string,
    private readonly location: string,
  ) {
    this.table = `${quoteIdent(schema)}.leases`;
  }

  async acquire(name: string, holder: string, ttlMs: number): Promise<boolean> {
    // One statement: taken when free or run out, renewed by its holder, refused to anyone else.
    const { rows } = await queryOrUnavailable(
      this.pool,
      this.location,
      `INSERT INTO ${this.table} AS lease (name, holder, expires_at) VALUES ($1, $2, clock_timestamp() + $3 * interval '1 millisecond')
       ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, expires_at = excluded.expires_at
       WHERE lease.holder = excluded.holder OR lease.expires_at < clock_timestamp()
       RETURNING holder`,
      [name, holder, ttlMs],
    );
    return rows.length === 1;
  }

  async release(name: string, holder: string): Promise<void> {
    await queryOrUnavailable(this.pool, this.location, `DELETE FROM ${this.table} WHERE name = $1 AND holder = $2`, [name, holder]);
  }
}

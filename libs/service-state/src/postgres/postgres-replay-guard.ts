import type { Pool } from 'pg';
import type { ReplayGuard } from '@approvals/application';
import { queryOrUnavailable, quoteIdent } from '@approvals/postgres';

/** How many first uses pass between two sweeps of the keys past their time (the table stays small). */
const SWEEP_EVERY = 256;

/** The replay guard in PostgreSQL: one row per accepted callback, for as long as a replay of it could pass. */
export class PostgresReplayGuard implements ReplayGuard {
  private readonly table: string;
  private uses = 0;

  constructor(
    private readonly pool: Pool,
    schema: string,
    private readonly location: string,
  ) {
    this.table = `${quoteIdent(schema)}.replay_guards`;
  }

  async firstUse(key: string, keepUntil: Date): Promise<boolean> {
    if (++this.uses % SWEEP_EVERY === 0) {
      await queryOrUnavailable(this.pool, this.location, `DELETE FROM ${this.table} WHERE keep_until < clock_timestamp()`);
    }
    // Inserted, or taken over from a key past its time: either way a first use. A row in its time stays.
    const { rows } = await queryOrUnavailable(
      this.pool,
      this.location,
      `INSERT INTO ${this.table} AS guard (key, keep_until) VALUES ($1, $2)
       ON CONFLICT (key) DO UPDATE SET keep_until = excluded.keep_until WHERE guard.keep_until < clock_timestamp()
       RETURNING key`,
      [key, keepUntil.toISOString()],
    );
    return rows.length === 1;
  }
}

import type { Pool } from 'pg';
import type { PersonalNotice, PersonalNoticeStore } from '@approvals/application';
import { groupByRecipient } from '@approvals/application';
import { queryOrUnavailable, quoteIdent } from '@approvals/postgres';

/**
 * The notifier's digest windows in PostgreSQL: one window per person whichever replica counts a
 * notice in it, and the held notices of an ended window taken by one replica only (DELETE …
 * RETURNING), so a digest goes out once.
 */
export class PostgresPersonalNoticeStore implements PersonalNoticeStore {
  private readonly windows: string;
  private readonly held: string;

  constructor(
    private readonly pool: Pool,
    schema: string,
    private readonly location: string,
  ) {
    this.windows = `${quoteIdent(schema)}.digest_windows`;
    this.held = `${quoteIdent(schema)}.held_notices`;
  }

  async admit(notice: PersonalNotice, now: number, windowMs: number): Promise<'send' | 'held'> {
    // One statement: open (or reopen) the window, or count the notice in it and hold it.
    const { rows } = await queryOrUnavailable<{ sent: number }>(
      this.pool,
      this.location,
      `WITH window_now AS (
         INSERT INTO ${this.windows} AS w (recipient, opened_at, sent) VALUES ($1, $2, 1)
         ON CONFLICT (recipient) DO UPDATE SET
           opened_at = CASE WHEN w.opened_at <= $2 - $3 THEN excluded.opened_at ELSE w.opened_at END,
           sent = CASE WHEN w.opened_at <= $2 - $3 THEN 1 ELSE w.sent + 1 END
         RETURNING opened_at, sent
       ), kept AS (
         INSERT INTO ${this.held} (recipient, window_opened_at, notice) SELECT $1, opened_at, $4 FROM window_now WHERE sent > 1 RETURNING id
       )
       SELECT sent FROM window_now`,
      [notice.recipient.id, now, windowMs, JSON.stringify(notice)],
    );
    return rows[0]!.sent === 1 ? 'send' : 'held';
  }

  async takeDue(now: number, windowMs: number): Promise<PersonalNotice[][]> {
    const { rows } = await queryOrUnavailable<{ id: string; notice: string }>(
      this.pool,
      this.location,
      `DELETE FROM ${this.held} WHERE window_opened_at <= $1 RETURNING id, notice`,
      [now - windowMs],
    );
    await queryOrUnavailable(this.pool, this.location, `DELETE FROM ${this.windows} WHERE opened_at <= $1`, [now - windowMs]);
    const taken = rows.sort((a, b) => Number(BigInt(a.id) - BigInt(b.id))).map((row) => JSON.parse(row.notice) as PersonalNotice);
    return groupByRecipient(taken);
  }
}

import type { Pool } from 'pg';
import type { CheckpointStore } from '@approvals/application';
import { queryOrUnavailable } from '@approvals/postgres';
import { quoteIdent } from '@approvals/postgres';

/** Named subscriber checkpoints next to the events, so a backup of the schema holds both. */
export class PostgresCheckpointStore implements CheckpointStore {
  private readonly s: string;

  constructor(
    private readonly pool: Pool,
    schema: string,
    private readonly location: string,
  ) {
    this.s = quoteIdent(schema);
  }

  async load(name: string): Promise<bigint | undefined> {
    const { rows } = await queryOrUnavailable<{ position: string }>(this.pool, this.location, `SELECT position FROM ${this.s}.checkpoints WHERE name = $1`, [name]);
    return rows[0] === undefined ? undefined : BigInt(rows[0].position);
  }

  async save(name: string, position: bigint): Promise<void> {
    await queryOrUnavailable(
      this.pool,
      this.location,
      `INSERT INTO ${this.s}.checkpoints (name, position, updated_at) VALUES ($1, $2, now())
       ON CONFLICT (name) DO UPDATE SET position = excluded.position, updated_at = excluded.updated_at`,
      [name, position.toString()],
    );
  }
}

import type { StatementSync } from 'node:sqlite';
import type { CheckpointStore } from '@approvals/application';
import type { SqliteConnection } from './sqlite-connection';

/** Named subscriber checkpoints in the ledger file, so a checkpoint and the events share one backup. */
export class SqliteCheckpointStore implements CheckpointStore {
  private readonly select: StatementSync;
  private readonly upsert: StatementSync;

  constructor(
    private readonly connection: SqliteConnection,
    private readonly now: () => Date = () => new Date(),
  ) {
    this.select = connection.db.prepare('SELECT position FROM checkpoints WHERE name = ?', { readBigInts: true });
    this.upsert = connection.db.prepare(
      `INSERT INTO checkpoints (name, position, updated_at) VALUES (?, ?, ?)
       ON CONFLICT (name) DO UPDATE SET position = excluded.position, updated_at = excluded.updated_at`,
    );
  }

  async load(name: string): Promise<bigint | undefined> {
    this.connection.assertOpen();
    const row = this.select.get(name);
    return row === undefined ? undefined : (row['position'] as bigint);
  }

  async save(name: string, position: bigint): Promise<void> {
    this.connection.assertOpen();
    if (typeof position !== 'bigint' || position < 0n) {
      throw new TypeError(`checkpoint ${name}: position must be a non-negative bigint`);
    }
    this.upsert.run(name, position, this.now().toISOString());
  }
}

import type { Pool } from 'pg';
import type { LedgerFinding, LogState, LogStore, RecordedCheckpoint, RecordedStreamHead, TreeNode } from '@approvals/application';
import { MerkleFrontier } from '@approvals/application';
import { asStoreError, queryOrUnavailable, withPoolClient } from '@approvals/postgres';
import { quoteIdent } from '@approvals/postgres';

/** The ledger log in the ledger's schema, so a backup of the schema holds the events and their log. */
export class PostgresLogStore implements LogStore {
  private readonly s: string;

  constructor(
    private readonly pool: Pool,
    schema: string,
    private readonly location: string,
  ) {
    this.s = quoteIdent(schema);
  }

  async load(): Promise<LogState | undefined> {
    const { rows } = await queryOrUnavailable<{ size: string; position: string; frontier: string }>(
      this.pool,
      this.location,
      `SELECT size::text, position::text, frontier FROM ${this.s}.log_state`,
    );
    const row = rows[0];
    if (row === undefined) return undefined;
    const frontier = MerkleFrontier.fromJSON(JSON.parse(row.frontier) as { size: number; hashes: string[] });
    if (frontier.size !== Number(row.size)) throw new Error(`the ledger log's frontier holds ${frontier.size} leaves, its size says ${row.size}`);
    return { position: BigInt(row.position), frontier };
  }

  async save(
    fromSize: number,
    state: LogState,
    nodes: readonly TreeNode[],
    heads: ReadonlyMap<string, RecordedStreamHead>,
    findings: readonly LedgerFinding[],
    leafPositions: readonly bigint[] = [],
  ): Promise<boolean> {
    const s = this.s;
    try {
      return await withPoolClient(this.pool, async (client) => {
        await client.query('BEGIN');
        try {
          const frontier = JSON.stringify(state.frontier.toJSON());
          const moved = await client.query(
            fromSize === 0
              ? `INSERT INTO ${s}.log_state (size, position, frontier, updated_at) VALUES ($1, $2, $3, now()) ON CONFLICT (id) DO NOTHING`
              : `UPDATE ${s}.log_state SET size = $1, position = $2, frontier = $3, updated_at = now() WHERE size = $4`,
            fromSize === 0 ? [state.frontier.size, state.position.toString(), frontier] : [state.frontier.size, state.position.toString(), frontier, fromSize],
          );
          if (moved.rowCount !== 1) {
            await client.query('ROLLBACK');
            return false;
          }
          if (leafPositions.length > 0) {
            await client.query(`INSERT INTO ${s}.log_leaves (leaf, position) SELECT $1::bigint + i - 1, p FROM unnest($2::bigint[]) WITH ORDINALITY AS t(p, i)`, [
              fromSize,
              leafPositions.map(String),
            ]);
          }
          if (nodes.length > 0) {
            await client.query(
              `INSERT INTO ${s}.log_nodes (height, idx, hash) SELECT * FROM unnest($1::integer[], $2::bigint[], $3::bytea[])
               ON CONFLICT (height, idx) DO UPDATE SET hash = excluded.hash`,
              [nodes.map((n) => n.height), nodes.map((n) => n.index), nodes.map((n) => n.hash)],
            );
          }
          if (heads.size > 0) {
            const entries = [...heads];
            await client.query(
              `INSERT INTO ${s}.log_stream_heads (stream_id, revision, hash, leaf) SELECT * FROM unnest($1::text[], $2::integer[], $3::text[], $4::bigint[])
               ON CONFLICT (stream_id) DO UPDATE SET revision = excluded.revision, hash = excluded.hash, leaf = excluded.leaf`,
              [entries.map(([id]) => id), entries.map(([, h]) => h.revision), entries.map(([, h]) => h.hash), entries.map(([, h]) => h.leaf)],
            );
          }
          for (const f of findings) {
            await client.query(`INSERT INTO ${s}.log_findings (kind, stream_id, revision, position, detail) VALUES ($1, $2, $3, $4, $5)`, [
              f.kind,
              f.streamId ?? null,
              f.revision ?? null,
              f.position?.toString() ?? null,
              f.detail,
            ]);
          }
          await client.query('COMMIT');
          return true;
        } catch (error) {
          await client.query('ROLLBACK').catch(() => undefined);
          throw error;
        }
      });
    } catch (error) {
      throw asStoreError(error, this.location);
    }
  }

  async leafPositions(fromLeaf: number, count: number): Promise<bigint[]> {
    const { rows } = await queryOrUnavailable<{ position: string }>(
      this.pool,
      this.location,
      `SELECT position::text FROM ${this.s}.log_leaves WHERE leaf >= $1 ORDER BY leaf LIMIT $2`,
      [fromLeaf, count],
    );
    return rows.map((row) => BigInt(row.position));
  }

  async leafAt(position: bigint): Promise<number | undefined> {
    const { rows } = await queryOrUnavailable<{ leaf: string }>(this.pool, this.location, `SELECT leaf::text FROM ${this.s}.log_leaves WHERE position = $1`, [position.toString()]);
    return rows[0] === undefined ? undefined : Number(rows[0].leaf);
  }

  async streamHead(streamId: string): Promise<RecordedStreamHead | undefined> {
    const { rows } = await queryOrUnavailable<{ revision: number; hash: string; leaf: string }>(
      this.pool,
      this.location,
      `SELECT revision, hash, leaf::text FROM ${this.s}.log_stream_heads WHERE stream_id = $1`,
      [streamId],
    );
    return rows[0] === undefined ? undefined : { revision: rows[0].revision, hash: rows[0].hash, leaf: Number(rows[0].leaf) };
  }

  async streamHeads(afterStreamId: string, limit: number): Promise<[string, RecordedStreamHead][]> {
    const { rows } = await queryOrUnavailable<{ stream_id: string; revision: number; hash: string; leaf: string }>(
      this.pool,
      this.location,
      `SELECT stream_id, revision, hash, leaf::text FROM ${this.s}.log_stream_heads WHERE stream_id > $1 ORDER BY stream_id LIMIT $2`,
      [afterStreamId, limit],
    );
    return rows.map((row) => [row.stream_id, { revision: row.revision, hash: row.hash, leaf: Number(row.leaf) }]);
  }

  async recordCheckpoint(checkpoint: RecordedCheckpoint): Promise<void> {
    await queryOrUnavailable(
      this.pool,
      this.location,
      `INSERT INTO ${this.s}.log_checkpoints (size, root_hash, note) VALUES ($1, $2, $3) ON CONFLICT (size) DO NOTHING`,
      [checkpoint.size, checkpoint.rootHash, checkpoint.note],
    );
  }

  async checkpoints(afterSize: number, limit: number): Promise<RecordedCheckpoint[]> {
    const { rows } = await queryOrUnavailable<{ size: string; root_hash: Buffer; note: string }>(
      this.pool,
      this.location,
      `SELECT size::text, root_hash, note FROM ${this.s}.log_checkpoints WHERE size > $1 ORDER BY size LIMIT $2`,
      [afterSize, limit],
    );
    return rows.map((row) => ({ size: Number(row.size), rootHash: row.root_hash, note: row.note }));
  }

  async latestCheckpoint(): Promise<RecordedCheckpoint | undefined> {
    const { rows } = await queryOrUnavailable<{ size: string; root_hash: Buffer; note: string }>(
      this.pool,
      this.location,
      `SELECT size::text, root_hash, note FROM ${this.s}.log_checkpoints ORDER BY size DESC LIMIT 1`,
    );
    return rows[0] === undefined ? undefined : { size: Number(rows[0].size), rootHash: rows[0].root_hash, note: rows[0].note };
  }

  async nodes(keys: readonly { height: number; index: number }[]): Promise<Map<string, Buffer>> {
    if (keys.length === 0) return new Map();
    const { rows } = await queryOrUnavailable<{ height: number; idx: string; hash: Buffer }>(
      this.pool,
      this.location,
      `SELECT n.height, n.idx::text, n.hash FROM ${this.s}.log_nodes n JOIN unnest($1::integer[], $2::bigint[]) AS k(height, idx) USING (height, idx)`,
      [keys.map((k) => k.height), keys.map((k) => k.index)],
    );
    return new Map(rows.map((row) => [`${row.height}:${row.idx}`, row.hash]));
  }

  async findings(limit: number): Promise<LedgerFinding[]> {
    const { rows } = await queryOrUnavailable<{ kind: string; stream_id: string | null; revision: number | null; position: string | null; detail: string }>(
      this.pool,
      this.location,
      `SELECT kind, stream_id, revision, position::text, detail FROM ${this.s}.log_findings ORDER BY id LIMIT $1`,
      [limit],
    );
    return rows.map((row) => ({
      kind: row.kind as LedgerFinding['kind'],
      streamId: row.stream_id ?? undefined,
      revision: row.revision ?? undefined,
      position: row.position === null ? undefined : BigInt(row.position),
      detail: row.detail,
    }));
  }
}

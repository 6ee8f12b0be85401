import type { StatementSync } from 'node:sqlite';
import type { LedgerFinding, LogState, LogStore, RecordedCheckpoint, RecordedStreamHead, TreeNode } from '@approvals/application';
import { MerkleFrontier } from '@approvals/application';
import type { SqliteConnection } from './sqlite-connection';

/** The ledger log in the ledger file, so the log and the events share one backup and one lock. */
export class SqliteLogStore implements LogStore {
  private readonly selectState: StatementSync;
  private readonly insertState: StatementSync;
  private readonly updateState: StatementSync;
  private readonly insertNode: StatementSync;
  private readonly upsertHead: StatementSync;
  private readonly selectHead: StatementSync;
  private readonly insertFinding: StatementSync;
  private readonly selectHeads: StatementSync;
  private readonly selectNode: StatementSync;
  private readonly insertCheckpoint: StatementSync;
  private readonly selectCheckpoints: StatementSync;
  private readonly selectLatestCheckpoint: StatementSync;
  private readonly selectFindings: StatementSync;
  private readonly insertLeaf: StatementSync;
  private readonly selectLeafPositions: StatementSync;
  private readonly selectLeafAt: StatementSync;

  constructor(
    private readonly connection: SqliteConnection,
    private readonly now: () => Date = () => new Date(),
  ) {
    const prepare = (sql: string) => connection.db.prepare(sql, { readBigInts: true });
    this.selectState = prepare('SELECT size, position, frontier FROM log_state WHERE id = 1');
    this.insertState = prepare('INSERT INTO log_state (id, size, position, frontier, updated_at) VALUES (1, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING');
    this.updateState = prepare('UPDATE log_state SET size = ?, position = ?, frontier = ?, updated_at = ? WHERE id = 1 AND size = ?');
    this.insertNode = prepare('INSERT OR REPLACE INTO log_nodes (height, idx, hash) VALUES (?, ?, ?)');
    this.upsertHead = prepare(
      `INSERT INTO log_stream_heads (stream_id, revision, hash, leaf) VALUES (?, ?, ?, ?)
       ON CONFLICT (stream_id) DO UPDATE SET revision = excluded.revision, hash = excluded.hash, leaf = excluded.leaf`,
    );
    this.selectHead = prepare('SELECT revision, hash, leaf FROM log_stream_heads WHERE stream_id = ?');
    this.insertFinding = prepare('INSERT INTO log_findings (kind, stream_id, revision, position, detail, found_at) VALUES (?, ?, ?, ?, ?, ?)');
    this.selectHeads = prepare('SELECT stream_id, revision, hash, leaf FROM log_stream_heads WHERE stream_id > ? ORDER BY stream_id LIMIT ?');
    this.selectNode = prepare('SELECT hash FROM log_nodes WHERE height = ? AND idx = ?');
    this.insertCheckpoint = prepare('INSERT INTO log_checkpoints (size, root_hash, note, created_at) VALUES (?, ?, ?, ?) ON CONFLICT (size) DO NOTHING');
    this.selectCheckpoints = prepare('SELECT size, root_hash, note FROM log_checkpoints WHERE size > ? ORDER BY size LIMIT ?');
    this.selectLatestCheckpoint = prepare('SELECT size, root_hash, note FROM log_checkpoints ORDER BY size DESC LIMIT 1');
    this.selectFindings = prepare('SELECT kind, stream_id, revision, position, detail FROM log_findings ORDER BY id LIMIT ?');
    this.insertLeaf = prepare('INSERT INTO log_leaves (leaf, position) VALUES (?, ?)');
    this.selectLeafPositions = prepare('SELECT position FROM log_leaves WHERE leaf >= ? ORDER BY leaf LIMIT ?');
    this.selectLeafAt = prepare('SELECT leaf FROM log_leaves WHERE position = ?');
  }

  async load(): Promise<LogState | undefined> {
    this.connection.assertOpen();
    const row = this.selectState.get();
    if (row === undefined) return undefined;
    const frontier = MerkleFrontier.fromJSON(JSON.parse(row['frontier'] as string) as { size: number; hashes: string[] });
    if (frontier.size !== Number(row['size'])) throw new Error(`the ledger log's frontier holds ${frontier.size} leaves, its size says ${String(row['size'])}`);
    return { position: row['position'] as bigint, frontier };
  }

  async save(
    fromSize: number,
    state: LogState,
    nodes: readonly TreeNode[],
    heads: ReadonlyMap<string, RecordedStreamHead>,
    findings: readonly LedgerFinding[],
    leafPositions: readonly bigint[] = [],
  ): Promise<boolean> {
    this.connection.assertOpen();
    const now = this.now().toISOString();
    return this.connection.writeTransaction(() => {
      const frontier = JSON.stringify(state.frontier.toJSON());
      const moved =
        fromSize === 0 && this.selectState.get() === undefined
          ? this.insertState.run(state.frontier.size, state.position, frontier, now)
          : this.updateState.run(state.frontier.size, state.position, frontier, now, fromSize);
      if (Number(moved.changes) !== 1) return false;
      leafPositions.forEach((position, i) => this.insertLeaf.run(fromSize + i, position));
      for (const node of nodes) this.insertNode.run(node.height, node.index, node.hash);
      for (const [streamId, head] of heads) this.upsertHead.run(streamId, head.revision, head.hash, head.leaf);
      for (const f of findings) this.insertFinding.run(f.kind, f.streamId ?? null, f.revision ?? null, f.position ?? null, f.detail, now);
      return true;
    });
  }

  async leafPositions(fromLeaf: number, count: number): Promise<bigint[]> {
    this.connection.assertOpen();
    return this.selectLeafPositions.all(fromLeaf, count).map((row) => row['position'] as bigint);
  }

  async leafAt(position: bigint): Promise<number | undefined> {
    this.connection.assertOpen();
    const row = this.selectLeafAt.get(position);
    return row === undefined ? undefined : Number(row['leaf']);
  }

  async streamHead(streamId: string): Promise<RecordedStreamHead | undefined> {
    this.connection.assertOpen();
    const row = this.selectHead.get(streamId);
    return row === undefined ? undefined : { revision: Number(row['revision']), hash: row['hash'] as string, leaf: Number(row['leaf']) };
  }

  async streamHeads(afterStreamId: string, limit: number): Promise<[string, RecordedStreamHead][]> {
    this.connection.assertOpen();
    return this.selectHeads.all(afterStreamId, limit).map((row) => [
      row['stream_id'] as string,
      { revision: Number(row['revision']), hash: row['hash'] as string, leaf: Number(row['leaf']) },
    ]);
  }

  async recordCheckpoint(checkpoint: RecordedCheckpoint): Promise<void> {
    this.connection.assertOpen();
    this.insertCheckpoint.run(checkpoint.size, checkpoint.rootHash, checkpoint.note, this.now().toISOString());
  }

  async checkpoints(afterSize: number, limit: number): Promise<RecordedCheckpoint[]> {
    this.connection.assertOpen();
    return this.selectCheckpoints.all(afterSize, limit).map(toCheckpoint);
  }

  async latestCheckpoint(): Promise<RecordedCheckpoint | undefined> {
    this.connection.assertOpen();
    const row = this.selectLatestCheckpoint.get();
    return row === undefined ? undefined : toCheckpoint(row);
  }

  async nodes(keys: readonly { height: number; index: number }[]): Promise<Map<string, Buffer>> {
    this.connection.assertOpen();
    const found = new Map<string, Buffer>();
    for (const { height, index } of keys) {
      const row = this.selectNode.get(height, index);
      if (row) found.set(`${height}:${index}`, Buffer.from(row['hash'] as Uint8Array));
    }
    return found;
  }

  async findings(limit: number): Promise<LedgerFinding[]> {
    this.connection.assertOpen();
    return this.selectFindings.all(limit).map((row) => ({
      kind: row['kind'] as LedgerFinding['kind'],
      streamId: (row['stream_id'] as string | null) ?? undefined,
      revision: row['revision'] === null ? undefined : Number(row['revision']),
      position: (row['position'] as bigint | null) ?? undefined,
      detail: row['detail'] as string,
    }));
  }
}

const toCheckpoint = (row: Record<string, unknown>): RecordedCheckpoint => ({
  size: Number(row['size']),
  rootHash: Buffer.from(row['root_hash'] as Uint8Array),
  note: row['note'] as string,
});

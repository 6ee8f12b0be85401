import type { CheckedSegment, EventStore, LedgerFinding, LogStore, NewEvent, WitnessedCheckpoint } from '@approvals/application';
import {
  LedgerIntegrity,
  LogKeeper,
  TreeReader,
  checkSegment,
  eventLeaf,
  hashEvent,
  hashRecordedEvent,
  inclusionProof,
  rangeHashOver,
  verifyConsistency,
  verifyInclusion,
  verifyLedger,
} from '@approvals/application';

/** An opened ledger with its log, as a test sees it. */
export interface LedgerWithLog {
  events: EventStore;
  log: LogStore;
  close(): Promise<void>;
}

/**
 * A ledger under test, and what a person with access to its database can do to it: run SQL with
 * the append-only triggers out of the way, and back up or restore the whole database.
 */
export interface TamperableLedger {
  open(): Promise<LedgerWithLog>;
  /** Runs statements as a database administrator (the ledger is closed meanwhile). */
  sql(...statements: string[]): Promise<void>;
  /** One row's value, e.g. a position (the ledger is closed meanwhile). */
  value(sql: string): Promise<string | number | bigint>;
  backup(): Promise<void>;
  restore(): Promise<void>;
  /** SQL that sets the actor of the event at `position` in its metadata (text holding JSON). */
  setActorSql(position: bigint): string;
  dispose(): Promise<void>;
}

const event = (type: string, data: Record<string, unknown> = {}): NewEvent => ({ eventId: `${type}-${Math.random().toString(36).slice(2)}`, type, data, metadata: {} });

/** Three streams, interleaved: action-a (4 events), action-b (3), policy-history (2): positions 1..9. */
async function fill(events: EventStore): Promise<void> {
  await events.appendToStream('action-a', [event('ActionRequested', { rows: 1 })]);
  await events.appendToStream('action-b', [event('ActionRequested', { rows: 2 })]);
  await events.appendToStream('action-a', [event('PolicyEvaluated'), event('ApprovalRequested')]);
  await events.appendToStream('policy-history', [event('PolicySetActivated')]);
  await events.appendToStream('action-b', [event('PolicyEvaluated'), event('ActionDenied')]);
  await events.appendToStream('action-a', [event('ActionApproved', { by: 'alice' })]);
  await events.appendToStream('policy-history', [event('PolicySetActivated')]);
}

async function keepLog(ledger: LedgerWithLog): Promise<LedgerFinding[]> {
  const found: LedgerFinding[] = [];
  const keeper = new LogKeeper(ledger.events, ledger.log, {
    densePositions: true,
    onFinding: (finding) => found.push(finding),
    onError: (error) => found.push({ kind: 'TREE_MISMATCH', detail: `keeper failed: ${String(error)}` }),
  });
  await keeper.start();
  await keeper.stop();
  return found;
}

/**
 * The tamper suite (I8): on a ledger whose log keeper has taken every event, each kind of change
 * a database administrator can make is found by `verifyLedger` where it happened, and the run-time
 * check refuses the stream it touched; a clean ledger gives no finding.
 */
export function describeLedgerTamperSuite(name: string, create: () => Promise<TamperableLedger>): void {
  describe(`ledger tamper suite: ${name}`, () => {
    let target: TamperableLedger;
    let ledger: LedgerWithLog;

    beforeEach(async () => {
      target = await create();
      ledger = await target.open();
      await fill(ledger.events);
      expect(await keepLog(ledger)).toEqual([]);
    });

    afterEach(async () => {
      await ledger.close();
      await target.dispose();
    });

    /** The ledger as a restarted server sees it after `statements`. */
    async function reopenAfter(...statements: string[]): Promise<void> {
      await ledger.close();
      await target.sql(...statements);
      ledger = await target.open();
    }

    async function positionOf(streamId: string, revision: number): Promise<bigint> {
      await ledger.close();
      const position = BigInt(await target.value(`SELECT position FROM events WHERE stream_id = '${streamId}' AND revision = ${revision}`));
      ledger = await target.open();
      return position;
    }

    /**
     * The segments a verification thread would check, two positions wide, so that every stream and
     * every change spans a boundary between segments.
     */
    const inPairs = (after: bigint, head: bigint, densePositions: boolean) =>
      (async function* (): AsyncGenerator<CheckedSegment> {
        const events = (await ledger.events.readAll({ after })).filter((e) => e.position <= head);
        for (let from = after; from < head; from += 2n) {
          yield checkSegment(events.filter((e) => e.position > from && e.position <= from + 2n).map(hashRecordedEvent), densePositions);
        }
      })();
    /** verifyLedger page by page, and in segments merged in order: both must report the same. */
    const verify = async (witnessed: WitnessedCheckpoint[] = []) => {
      const report = await verifyLedger(ledger.events, ledger.log, { densePositions: true, witnessed });
      expect(await verifyLedger(ledger.events, ledger.log, { densePositions: true, witnessed, segments: inPairs })).toEqual(report);
      return report;
    };
    const runtimeCheck = async (streamId: string) => new LedgerIntegrity(ledger.log, () => undefined).check(streamId, await ledger.events.readStream(streamId));

    it('finds nothing on a clean ledger, also after more appends and a restart; keeps the tree and each stream head', async () => {
      const report = await verify();
      expect(report).toMatchObject({ events: 9, streams: 3, treeSize: 9, logSize: 9, findings: [] });
      expect((await ledger.log.load())!.frontier.root().toString('hex')).toBe(report.rootHash);
      expect(await ledger.log.streamHead('action-a')).toMatchObject({ revision: 3, leaf: 7 }); // position 8

      await ledger.close();
      ledger = await target.open();
      await ledger.events.appendToStream('action-b', [event('Noted')]);
      expect(await keepLog(ledger)).toEqual([]);
      expect(await verify()).toMatchObject({ events: 10, logSize: 10, findings: [] });
      for (const stream of ['action-a', 'action-b', 'policy-history']) expect(await runtimeCheck(stream)).toBeUndefined();
    });

    it('proves from the stored tree: every inclusion and consistency proof verifies against roots computed from the events', async () => {
      for (let i = 0; i < 60; i += 1) {
        await ledger.events.appendToStream(`bulk-${i % 9}`, Array.from({ length: 5 }, (_, j) => event('Bulk', { i, j })));
      }
      expect(await keepLog(ledger)).toEqual([]);
      const leaves = (await ledger.events.readAll()).map(eventLeaf);
      const mth = rangeHashOver(leaves);
      const reader = new TreeReader(ledger.events, ledger.log, true);
      const size = leaves.length;
      expect(size).toBe(309);
      for (const index of [0, 1, 15, 16, 17, 100, 255, 256, 300, 308]) {
        expect(verifyInclusion(index, size, leaves[index]!, await reader.inclusionProof(index, size), mth(0, size))).toBe(true);
        expect(await reader.inclusionProof(index, size)).toEqual(inclusionProof(index, size, mth));
      }
      for (const [first, second] of [[1, 309], [16, 32], [17, 300], [256, 309], [100, 101]] as const) {
        expect(verifyConsistency(first, second, mth(0, first), mth(0, second), await reader.consistencyProof(first, second))).toBe(true);
      }
    });

    it("finds an edited event's data at its position, and refuses the stream", async () => {
      const at = await positionOf('action-a', 3);
      await reopenAfter(`UPDATE events SET data = '{"by":"mallory"}' WHERE position = ${at}`);

      expect((await verify()).findings[0]).toMatchObject({ kind: 'HASH_MISMATCH', streamId: 'action-a', revision: 3, position: at });
      expect(await runtimeCheck('action-a')).toMatchObject({ kind: 'HASH_MISMATCH', revision: 3 });
      expect(await runtimeCheck('action-b')).toBeUndefined();
    });

    it('finds edited metadata at its position', async () => {
      const at = await positionOf('action-b', 0);
      await reopenAfter(target.setActorSql(at));

      expect((await verify()).findings[0]).toMatchObject({ kind: 'HASH_MISMATCH', streamId: 'action-b', position: at });
      expect(await runtimeCheck('action-b')).toMatchObject({ kind: 'HASH_MISMATCH' });
    });

    it('finds a deleted middle event at its position', async () => {
      const at = await positionOf('action-a', 1);
      await reopenAfter(`DELETE FROM events WHERE position = ${at}`);

      const { findings } = await verify();
      expect(findings[0]).toMatchObject({ kind: 'POSITION_GAP', position: at });
      expect(findings).toContainEqual(expect.objectContaining({ kind: 'CHAIN_BROKEN', streamId: 'action-a', revision: 2 }));
      expect(await runtimeCheck('action-a')).toMatchObject({ kind: 'CHAIN_BROKEN' });
    });

    it("finds a deleted tail (an approved action's last event): the stream is behind the log", async () => {
      await reopenAfter(`DELETE FROM events WHERE stream_id = 'action-a' AND revision = 3`);

      expect((await verify()).findings).toContainEqual(expect.objectContaining({ kind: 'HEAD_BEHIND_LOG', streamId: 'action-a', revision: 2 }));
      expect(await runtimeCheck('action-a')).toMatchObject({ kind: 'HEAD_BEHIND_LOG', revision: 2 });
    });

    it('finds the deleted tail of the whole ledger: the log recorded more events', async () => {
      await reopenAfter(`DELETE FROM events WHERE position = 9`);

      const { findings } = await verify();
      expect(findings).toContainEqual(expect.objectContaining({ kind: 'TREE_MISMATCH', detail: expect.stringContaining('recorded 9 events, but the ledger holds only 8') }));
      expect(findings).toContainEqual(expect.objectContaining({ kind: 'HEAD_BEHIND_LOG', streamId: 'policy-history' }));
    });

    it('finds a deleted stream', async () => {
      await reopenAfter(`DELETE FROM events WHERE stream_id = 'action-b'`);

      const { findings } = await verify();
      expect(findings[0]).toMatchObject({ kind: 'POSITION_GAP', position: 2n });
      expect(findings).toContainEqual(expect.objectContaining({ kind: 'STREAM_MISSING', streamId: 'action-b' }));
      expect(await runtimeCheck('action-b')).toMatchObject({ kind: 'STREAM_MISSING' });
    });

    it('finds two events swapped', async () => {
      const [first, second] = [await positionOf('action-a', 1), await positionOf('action-a', 2)];
      await reopenAfter(
        `UPDATE events SET revision = -1 WHERE position = ${first}`,
        `UPDATE events SET revision = 1 WHERE position = ${second}`,
        `UPDATE events SET revision = 2 WHERE position = ${first}`,
      );

      expect((await verify()).findings[0]).toMatchObject({ kind: 'HASH_MISMATCH', streamId: 'action-a', position: first });
      expect(await runtimeCheck('action-a')).toBeDefined();
    });

    it('finds a forged event that replaces one, even with a correct hash and link', async () => {
      const at = await positionOf('action-a', 3);
      const [previous] = await ledger.events.readStream('action-a', { fromRevision: 2, maxCount: 1 });
      const metadata = { prevHash: previous!.hash, occurredAt: '2026-01-01T00:00:00.000Z' };
      const forged = { streamId: 'action-a', revision: 3, eventId: 'forged', type: 'ActionApproved', data: { by: 'mallory' }, metadata };
      await reopenAfter(
        `DELETE FROM events WHERE position = ${at}`,
        `INSERT INTO events (position, stream_id, revision, event_id, type, data, metadata, hash, recorded_at)
         VALUES (${at}, 'action-a', 3, 'forged', 'ActionApproved', '{"by":"mallory"}', '${JSON.stringify(metadata)}', '${hashEvent(forged)}', '2026-01-01T00:00:00.000Z')`,
      );

      expect((await verify()).findings).toContainEqual(expect.objectContaining({ kind: 'TREE_MISMATCH' }));
      expect(await runtimeCheck('action-a')).toMatchObject({ kind: 'CHAIN_BROKEN', revision: 3 });
    });

    it('finds the restore of an earlier backup behind a witnessed checkpoint', async () => {
      await ledger.close();
      await target.backup();
      ledger = await target.open();
      await ledger.events.appendToStream('action-c', [event('ActionRequested'), event('ActionApproved')]);
      await keepLog(ledger);
      const saved = (await ledger.log.load())!;
      const witnessed = [{ size: saved.frontier.size, rootHash: saved.frontier.root(), source: 'witness.log' }];
      await ledger.close();
      await target.restore();
      ledger = await target.open();

      expect((await verify(witnessed)).findings).toEqual([
        expect.objectContaining({ kind: 'CHECKPOINT_MISMATCH', detail: expect.stringContaining('the checkpoint witnessed by witness.log recorded 11 events, but the ledger holds only 9') }),
      ]);
    });

    it('records what the keeper finds as it follows (an event removed before it was taken), and the finding survives a restart', async () => {
      await ledger.events.appendToStream('action-z', [event('ActionRequested'), event('PolicyEvaluated')]);
      await reopenAfter(`DELETE FROM events WHERE position = 10`);
      const found = await keepLog(ledger);

      expect(found).toEqual([
        expect.objectContaining({ kind: 'POSITION_GAP', position: 10n, detail: 'the events at positions 10 to 10 are missing' }),
        expect.objectContaining({ kind: 'CHAIN_BROKEN', streamId: 'action-z', revision: 1 }),
      ]);
      await ledger.close();
      ledger = await target.open();
      expect(await ledger.log.findings(10)).toEqual(found);
    });
  });
}

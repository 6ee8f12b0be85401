import { GRANT_TOKEN, POLICY_VERSION, TRACE_ID } from '@approvals/testing';
import { AuditFixture, type ReadModelBackend } from './audit-fixture';

/** What the audit timeline shows, the same for every {@link ReadModelBackend}. */
export function describeTimelineScenarios(backend: ReadModelBackend): void {
  describe(`audit timeline on ${backend.name}`, () => {
    let fixture: AuditFixture;

    beforeEach(async () => {
      fixture = await AuditFixture.open(backend);
      // Given an unrelated action first, so global positions and stream revisions differ.
      await fixture.append({ actionId: 'other', requestedAt: '2025-03-01T08:00:00Z', outcome: 'PENDING_POLICY' });
      await fixture.append({ actionId: 'act-1', requestedAt: '2025-03-01T09:00:00Z' });
      await fixture.project();
    });

    afterEach(() => fixture.close());

    it('lists every event of the action in stream order with readable lines', async () => {
      const result = await fixture.queries.getTimeline('act-1');

      if (!result.ok) throw new Error(result.error.message);
      const { entries } = result.value;
      expect(result.value.actionId).toBe('act-1');
      expect(result.value.status).toBe('APPROVED');
      expect(entries.map((entry) => [entry.revision, entry.position, entry.type])).toEqual([
        [0, '2', 'ActionRequested'],
        [1, '3', 'PolicyEvaluated'],
        [2, '4', 'ApprovalRequested'],
        [3, '5', 'ApprovalNotified'],
        [4, '6', 'VoteRejected'],
        [5, '7', 'VoteCast'],
        [6, '8', 'VoteCast'],
        [7, '9', 'ActionApproved'],
        [8, '10', 'ExecutionGrantIssued'],
      ]);
      expect(entries.map((entry) => entry.summary)).toEqual([
        'ActionRequested: agent-reporting (claude-sonnet) on behalf of olivia requests dataset.export on dataset:sales-2024 in prod',
        `PolicyEvaluated: REQUIRE_APPROVAL by export-large-prod (policy ${POLICY_VERSION}): exports over 100k rows in prod need a data owner`,
        'ApprovalRequested: needs 2 from data-owners, expires 2025-03-01T09:15:00.000Z',
        'ApprovalNotified: sent to #data-approvals via slack',
        'VoteRejected: olivia (SELF_APPROVAL) tried to approve via slack: the action is requested on your behalf',
        'VoteCast: alice approved via cli',
        'VoteCast: bob approved via slack',
        'ActionApproved: approved by alice, bob',
        'ExecutionGrantIssued: grant act-1-grant for agent-reporting, valid until 2025-03-01T09:05:08.000Z',
      ]);
      expect(entries.map((entry) => entry.actor)).toEqual([
        'agent:agent-reporting',
        'service:policy-evaluator',
        'service:decision',
        'service:notifier',
        'approver:olivia via slack',
        'approver:alice via cli',
        'approver:bob via slack',
        'service:decision',
        'service:decision',
      ]);
      expect(new Set(entries.map((entry) => entry.traceId))).toEqual(new Set([TRACE_ID]));
      expect(entries[0]!.occurredAt).toBe('2025-03-01T09:00:00.000Z');
    });

    it('carries the hash chain of the ledger', async () => {
      const stored = await fixture.ledger.events.readStream('action-act-1');
      const result = await fixture.queries.getTimeline('act-1');

      if (!result.ok) throw new Error(result.error.message);
      expect(result.value.entries.map((entry) => [entry.eventId, entry.hash, entry.prevHash])).toEqual(
        stored.map((event) => [event.eventId, event.hash, event.metadata.prevHash ?? '']),
      );
    });

    it('keeps the grant token out of the timeline and out of what the databases store', async () => {
      const result = await fixture.queries.getTimeline('act-1');

      if (!result.ok) throw new Error(result.error.message);
      const grant = JSON.parse(result.value.entries[8]!.dataJson) as Record<string, unknown>;
      expect(grant).toMatchObject({ grantId: 'act-1-grant', token: '[redacted]' });
      await fixture.readModel.flush();
      const readModelBytes = await fixture.storage.readModelBytes();
      expect(readModelBytes.length).toBeGreaterThan(0);
      for (const bytes of readModelBytes) {
        expect(bytes.includes(GRANT_TOKEN)).toBe(false);
      }
      const ledgerBytes = await fixture.storage.ledgerBytes();
      expect(ledgerBytes.some((bytes) => bytes.includes(GRANT_TOKEN))).toBe(true);
    });

    it('answers NOT_FOUND for an unknown action', async () => {
      expect(await fixture.queries.getTimeline('nope')).toEqual({
        ok: false,
        error: { code: 'NOT_FOUND', message: 'action nope is not in the audit read model (unknown, or not projected yet)' },
      });
    });
  });
}

import type { SearchActionsRequest } from '@approvals/contracts';
import { POLICY_VERSION } from '@approvals/testing';
import { AuditFixture, type ReadModelBackend } from './audit-fixture';

/** How the audit search answers, the same for every {@link ReadModelBackend}. */
export function describeSearchScenarios(backend: ReadModelBackend): void {
  describe(`audit search on ${backend.name}`, () => {
    let fixture: AuditFixture;

    const search = async (request: SearchActionsRequest) => {
      const result = await fixture.queries.searchActions(request);
      if (!result.ok) throw new Error(`${result.error.code}: ${result.error.message}`);
      return result.value;
    };
    const ids = async (request: SearchActionsRequest) => (await search(request)).items.map((item) => item.actionId);

    beforeAll(async () => {
      fixture = await AuditFixture.open(backend);
      await fixture.append(
        { actionId: 'a1', requestedAt: '2025-03-01T09:00:00Z', onBehalfOf: 'olivia' },
        { actionId: 'a2', requestedAt: '2025-03-01T10:00:00Z', onBehalfOf: 'olivia', environment: 'staging', outcome: 'DENIED' },
        { actionId: 'a3', requestedAt: '2025-03-01T11:00:00Z', onBehalfOf: 'paul', agentId: 'agent-ops', action: 'role.escalate', outcome: 'EXPIRED' },
        // 07:00Z, written with an offset: ordering and time filters must not compare the strings.
        { actionId: 'a4', requestedAt: '2025-03-02T09:00:00+02:00', onBehalfOf: 'paul', agentId: 'agent-ops', action: 'role.escalate', outcome: 'AWAITING_APPROVAL' },
        { actionId: 'a5', requestedAt: '2025-03-02T12:00:00Z', onBehalfOf: 'quinn', agentId: 'agent-ci', action: 'deploy', environment: 'dev', outcome: 'CANCELLED' },
        { actionId: 'a6', requestedAt: '2025-03-02T13:00:00Z', onBehalfOf: 'quinn', agentId: 'agent-ci', action: 'deploy', environment: 'dev', outcome: 'PENDING_POLICY' },
        { actionId: 'a7', requestedAt: '2025-03-03T09:00:00Z', onBehalfOf: 'olivia', approvers: ['carol'] },
        { actionId: 'a8', requestedAt: '2025-03-04T09:00:00Z', agentId: 'agent-batch', environment: 'batch', outcome: 'PENDING_POLICY' },
        { actionId: 'a9', requestedAt: '2025-03-04T09:00:00Z', agentId: 'agent-batch', environment: 'batch', outcome: 'PENDING_POLICY' },
      );
      await fixture.project();
    });

    afterAll(() => fixture.close());

    it('returns every action newest first, ties broken by action id', async () => {
      expect(await ids({})).toEqual(['a9', 'a8', 'a7', 'a6', 'a5', 'a4', 'a3', 'a2', 'a1']);
    });

    it('fills every field of ActionSummary', async () => {
      const [a1] = (await search({ agentId: 'agent-reporting', status: 'APPROVED', requestedBefore: '2025-03-02T00:00:00Z' })).items;

      expect(a1).toEqual({
        actionId: 'a1',
        status: 'APPROVED',
        agentId: 'agent-reporting',
        onBehalfOf: 'olivia',
        action: 'dataset.export',
        resource: { kind: 'dataset', id: 'sales-2024' },
        environment: 'prod',
        requestedAt: '2025-03-01T09:00:00Z',
        decidedAt: '2025-03-01T09:00:07.000Z',
        approvedBy: ['alice', 'bob'],
        policyVersion: POLICY_VERSION,
        reason: 'approved by alice, bob',
      });
    });

    it.each<[SearchActionsRequest, string[]]>([
      [{ agentId: 'agent-ops' }, ['a4', 'a3']],
      [{ action: 'deploy' }, ['a6', 'a5']],
      [{ environment: 'prod' }, ['a7', 'a4', 'a3', 'a1']],
      [{ status: 'APPROVED' }, ['a7', 'a1']],
      [{ status: 'DENIED' }, ['a2']],
      [{ status: 'EXPIRED' }, ['a3']],
      [{ status: 'AWAITING_APPROVAL' }, ['a4']],
      [{ status: 'CANCELLED' }, ['a5']],
      [{ status: 'PENDING_POLICY' }, ['a9', 'a8', 'a6']],
      [{ status: 3 }, ['a7', 'a1']],
      [{ approverId: 'alice' }, ['a2', 'a1']],
      [{ approverId: 'carol' }, ['a7']],
      // A rejected self-approval still makes the attempt findable.
      [{ approverId: 'olivia' }, ['a7', 'a2', 'a1']],
      [{ approverId: 'nobody' }, []],
      [{ requestedAfter: '2025-03-02T00:00:00Z' }, ['a9', 'a8', 'a7', 'a6', 'a5', 'a4']],
      [{ requestedBefore: '2025-03-02T00:00:00Z' }, ['a3', 'a2', 'a1']],
      [{ requestedAfter: '2025-03-01T10:00:00Z', requestedBefore: '2025-03-02T07:00:00Z' }, ['a3', 'a2']],
      [{ requestedAfter: '2025-03-02T09:00:00+02:00', requestedBefore: '2025-03-02T12:00:00Z' }, ['a4']],
      [{ agentId: 'agent-reporting', environment: 'prod', status: 'APPROVED' }, ['a7', 'a1']],
      [{ agentId: 'agent-ops', approverId: 'olivia' }, []],
    ])('filters by %j', async (request, expected) => {
      expect(await ids(request)).toEqual(expected);
    });

    it('pages through everything with page tokens, each action exactly once', async () => {
      const pages: string[][] = [];
      let pageToken = '';
      do {
        const page = await search({ limit: 2, pageToken });
        pages.push(page.items.map((item) => item.actionId));
        pageToken = page.nextPageToken;
      } while (pageToken !== '');

      expect(pages).toEqual([['a9', 'a8'], ['a7', 'a6'], ['a5', 'a4'], ['a3', 'a2'], ['a1']]);
    });

    it('pages through a filtered search and ends with an empty next_page_token', async () => {
      const first = await search({ environment: 'prod', limit: 2 });
      const second = await search({ environment: 'prod', limit: 2, pageToken: first.nextPageToken });

      expect(first.items.map((item) => item.actionId)).toEqual(['a7', 'a4']);
      expect(second.items.map((item) => item.actionId)).toEqual(['a3', 'a1']);
      expect(second.nextPageToken).toBe('');
    });

    it('uses 50 when limit is 0 and refuses limits above 500', async () => {
      expect(await ids({ limit: 0 })).toHaveLength(9);
      expect(await fixture.queries.searchActions({ limit: 501 })).toEqual({
        ok: false,
        error: { code: 'INVALID_ARGUMENT', message: 'limit must be a whole number from 1 to 500 (0 or unset means 50), got 501' },
      });
    });

    it('refuses a malformed page token', async () => {
      const result = await fixture.queries.searchActions({ pageToken: 'eyJ2IjoxfQ' });

      expect(result).toEqual({
        ok: false,
        error: {
          code: 'INVALID_ARGUMENT',
          message: 'page_token is malformed: pass the next_page_token of a previous response unchanged, or leave it empty for the first page',
        },
      });
    });
  });
}

/** The order of action ids is their bytes' order, as in SQLite, whatever the database's locale. */
export function describeSearchOrderScenarios(backend: ReadModelBackend): void {
  describe(`audit search order on ${backend.name}`, () => {
    let fixture: AuditFixture;

    beforeAll(async () => {
      fixture = await AuditFixture.open(backend);
      await fixture.append(
        ...['B-1', 'a-1', '_-1', 'a-10', 'a-2', 'Z-1'].map((actionId) => ({ actionId, requestedAt: '2025-03-01T09:00:00Z' })),
      );
      await fixture.project();
    });

    afterAll(() => fixture.close());

    it('breaks ties by action id in byte order, also across pages', async () => {
      const pages: string[][] = [];
      let pageToken = '';
      do {
        const result = await fixture.queries.searchActions({ limit: 4, pageToken });
        if (!result.ok) throw new Error(result.error.message);
        pages.push(result.value.items.map((item) => item.actionId));
        pageToken = result.value.nextPageToken;
      } while (pageToken !== '');

      expect(pages).toEqual([['a-2', 'a-10', 'a-1', '_-1'], ['Z-1', 'B-1']]);
    });
  });
}

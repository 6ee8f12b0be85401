import { AuditProjector } from './audit-projector';
import { AuditQueries } from './audit-queries';
import { encodePageToken } from './page-token';
import { actionEvents, InMemoryEventStore, type ScenarioOutcome } from '@approvals/testing';
import { InMemoryReadModelStore } from './spec/in-memory-read-model-store';

async function projected(actions: { id: string; at: string; outcome?: ScenarioOutcome; agentId?: string }[]) {
  const ledger = new InMemoryEventStore();
  const store = new InMemoryReadModelStore();
  for (const action of actions) {
    await ledger.appendToStream(`action-${action.id}`, actionEvents({ actionId: action.id, requestedAt: action.at, outcome: action.outcome, agentId: action.agentId }));
  }
  const projector = new AuditProjector(ledger, store);
  await projector.start();
  await projector.whenCaughtUp();
  await projector.stop();
  return new AuditQueries(store);
}

const hourly = (count: number) =>
  Array.from({ length: count }, (_, i) => ({ id: `act-${String(i).padStart(2, '0')}`, at: new Date(Date.UTC(2025, 2, 1, i)).toISOString() }));

describe('AuditQueries.getTimeline', () => {
  it('answers NOT_FOUND for an action nobody projected', async () => {
    const queries = await projected([]);

    const result = await queries.getTimeline('missing');

    expect(result).toEqual({ ok: false, error: { code: 'NOT_FOUND', message: expect.stringContaining('action missing is not in the audit read model') } });
  });

  it('answers INVALID_ARGUMENT for an empty action id', async () => {
    const queries = await projected([]);

    expect(await queries.getTimeline('')).toEqual({ ok: false, error: { code: 'INVALID_ARGUMENT', message: 'action_id is required' } });
  });

  it('fills every field of the contract shape', async () => {
    const queries = await projected([{ id: 'a1', at: '2025-03-01T09:00:00Z' }]);

    const result = await queries.getTimeline('a1');

    if (!result.ok) throw new Error(result.error.message);
    expect(result.value.status).toBe('APPROVED');
    expect(result.value.entries[0]).toEqual({
      position: '1',
      revision: 0,
      eventId: 'a1-e0',
      type: 'ActionRequested',
      occurredAt: '2025-03-01T09:00:00.000Z',
      actor: 'agent:agent-reporting',
      summary: expect.stringContaining('ActionRequested: agent-reporting'),
      dataJson: expect.stringContaining('"actionId":"a1"'),
      traceId: '4bf92f3577b34da6a3ce929d0e0e4736',
      hash: expect.stringMatching(/^[0-9a-f]{64}$/),
      prevHash: '',
    });
  });
});

describe('AuditQueries.searchActions', () => {
  it('returns newest first with a default page of 50', async () => {
    const queries = await projected(hourly(55));

    const result = await queries.searchActions({});

    if (!result.ok) throw new Error(result.error.message);
    expect(result.value.items).toHaveLength(50);
    expect(result.value.items[0]!.actionId).toBe('act-54');
    expect(result.value.nextPageToken).not.toBe('');
  });

  it('walks every page exactly once with page tokens', async () => {
    const queries = await projected(hourly(7));

    const seen: string[] = [];
    let pageToken = '';
    let pages = 0;
    do {
      const result = await queries.searchActions({ limit: 3, pageToken });
      if (!result.ok) throw new Error(result.error.message);
      seen.push(...result.value.items.map((item) => item.actionId));
      pageToken = result.value.nextPageToken;
      pages += 1;
    } while (pageToken !== '');

    expect(pages).toBe(3);
    expect(seen).toEqual(['act-06', 'act-05', 'act-04', 'act-03', 'act-02', 'act-01', 'act-00']);
  });

  it.each([
    [501, 'limit must be a whole number from 1 to 500 (0 or unset means 50), got 501'],
    [-1, 'limit must be a whole number from 1 to 500 (0 or unset means 50), got -1'],
    [2.5, 'limit must be a whole number from 1 to 500 (0 or unset means 50), got 2.5'],
  ])('refuses limit %s', async (limit, message) => {
    const queries = await projected([]);

    expect(await queries.searchActions({ limit })).toEqual({ ok: false, error: { code: 'INVALID_ARGUMENT', message } });
  });

  it('accepts the limits at the edges', async () => {
    const queries = await projected(hourly(2));

    const one = await queries.searchActions({ limit: 1 });
    const max = await queries.searchActions({ limit: 500 });

    expect(one.ok && one.value.items.length).toBe(1);
    expect(max.ok && max.value.items.length).toBe(2);
  });

  it.each([
    [{ pageToken: 'not a token!' }, 'page_token is malformed'],
    [{ pageToken: Buffer.from('{"v":2}').toString('base64url') }, 'page_token is malformed'],
    [{ pageToken: encodePageToken({ requestedAtMs: 1, actionId: 'a', filters: 'other' }) }, 'page_token was issued for a search with different filters'],
    [{ status: 'WAITING' as never }, 'status "WAITING" is not an action status'],
    [{ requestedAfter: 'yesterday' }, 'requested_after "yesterday" is not an ISO 8601 instant'],
    [{ requestedBefore: '2025-03-01T10:00:00' }, 'requested_before "2025-03-01T10:00:00" is not an ISO 8601 instant'],
    [{ requestedAfter: '2025-03-02T00:00:00Z', requestedBefore: '2025-03-01T00:00:00Z' }, 'requested_after (2025-03-02T00:00:00Z) must be earlier than requested_before'],
  ])('refuses %j with a precise message', async (request, message) => {
    const queries = await projected([]);

    const result = await queries.searchActions(request);

    expect(result).toEqual({ ok: false, error: { code: 'INVALID_ARGUMENT', message: expect.stringContaining(message) } });
  });

  it('refuses a page token replayed with other filters', async () => {
    const queries = await projected(hourly(3));
    const first = await queries.searchActions({ limit: 1, environment: 'prod' });
    if (!first.ok) throw new Error(first.error.message);

    const replayed = await queries.searchActions({ limit: 1, environment: 'dev', pageToken: first.value.nextPageToken });

    expect(replayed.ok).toBe(false);
  });

  it('accepts the status as the proto enum number or name', async () => {
    const queries = await projected([
      { id: 'a', at: '2025-03-01T09:00:00Z', outcome: 'DENIED' },
      { id: 'b', at: '2025-03-01T10:00:00Z', outcome: 'EXPIRED' },
    ]);

    const byNumber = await queries.searchActions({ status: 4 });
    const byName = await queries.searchActions({ status: 'EXPIRED' });
    const unspecified = await queries.searchActions({ status: 'ACTION_STATUS_UNSPECIFIED' });

    expect(byNumber.ok && byNumber.value.items.map((item) => item.actionId)).toEqual(['a']);
    expect(byName.ok && byName.value.items.map((item) => item.actionId)).toEqual(['b']);
    expect(unspecified.ok && unspecified.value.items).toHaveLength(2);
  });
});

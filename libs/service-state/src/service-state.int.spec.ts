import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Client } from 'pg';
import type { PendingApproval, PendingApprovalStore } from '@approvals/application';
import { LeasedWork } from '@approvals/application';
import { testPostgresUrl, withTestPostgres } from '@approvals/testing';
import { openServiceState, type ServiceState } from './open-service-state';
import { SERVICE_STATE_SCHEMA_VERSION } from './postgres/schema';

// The shared service state against the real PostgreSQL server (a schema per test run, dropped
// afterwards) and the embedded SQLite file: the same behaviour from both, and in PostgreSQL what
// two replicas need from it: no lost update, one lease holder at a time.
jest.setTimeout(60_000);

const url = testPostgresUrl();
const schema = `state_test_${randomUUID().replaceAll('-', '').slice(0, 16)}`;
const dir = mkdtempSync(join(tmpdir(), 'service-state-'));
const opened: ServiceState[] = [];

const admin = <T>(work: (client: Client) => Promise<T>): Promise<T> => withTestPostgres(work, url);

const postgres = async () => {
  const state = await openServiceState({ store: 'postgres', connectionString: url, schema });
  opened.push(state);
  return state;
};
const embedded = async () => {
  const state = await openServiceState({ store: 'embedded', notifierFile: join(dir, `notifier-${randomUUID()}.sqlite`) });
  opened.push(state);
  return state;
};

afterAll(async () => {
  for (const state of opened) await state.close();
  await admin((client) => client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`));
  rmSync(dir, { recursive: true, force: true });
});

const item = (actionId: string, requestedAt = '2026-12-08T10:00:00.000Z'): PendingApproval => ({
  actionId,
  agentId: 'agent-ops',
  action: 'db.export',
  resource: { kind: 'table', id: 'customers' },
  environment: 'prod',
  justification: 'monthly report',
  steps: [{ group: 'data-owners', minApprovals: 2 }],
  approvedBy: [],
  voters: [],
  reasons: [],
  requestedAt,
  expiresAt: '2026-12-08T11:00:00.000Z',
  notified: false,
});

describe.each([
  ['PostgreSQL', postgres],
  ['SQLite (embedded)', embedded],
])('the pending approval store: %s', (_name, open) => {
  let store: PendingApprovalStore;
  beforeAll(async () => {
    store = (await open()).pendingApprovals();
  });
  const id = () => `act-${randomUUID()}`;

  it('adds an item once: a second add keeps the first and returns it', async () => {
    const actionId = id();
    expect(await store.add({ ...item(actionId), justification: 'first' })).toMatchObject({ actionId, justification: 'first' });
    expect(await store.add({ ...item(actionId), justification: 'second' })).toMatchObject({ justification: 'first' });
    expect(await store.get(actionId)).toEqual({ ...item(actionId), justification: 'first' });
  });

  it('updates an item atomically, returns it changed, and leaves it when the change says so', async () => {
    const actionId = id();
    await store.add(item(actionId));
    const changed = await store.update(actionId, (kept) => ({ ...kept, remindedAt: '2026-12-08T10:55:00.000Z' }));
    expect(changed).toMatchObject({ actionId, remindedAt: '2026-12-08T10:55:00.000Z' });
    // A claim: only the first "remind once" wins.
    expect(await store.update(actionId, (kept) => (kept.remindedAt ? undefined : { ...kept, remindedAt: 'later' }))).toBeUndefined();
    expect((await store.get(actionId))?.remindedAt).toBe('2026-12-08T10:55:00.000Z');
  });

  it('never brings back a removed item: an update after the removal changes nothing', async () => {
    const actionId = id();
    await store.add(item(actionId));
    await store.remove(actionId);
    expect(await store.update(actionId, (kept) => ({ ...kept, notified: true }))).toBeUndefined();
    expect(await store.get(actionId)).toBeUndefined();
  });

  it('replaces an item whole, and lists oldest first', async () => {
    const [a, b] = [id(), id()];
    await store.replace(item(b, '2026-12-08T09:00:00.000Z'));
    await store.replace({ ...item(b, '2026-12-08T09:00:00.000Z'), kind: 'BREAK_GLASS_REVIEW' });
    await store.add(item(a, '2026-12-08T08:00:00.000Z'));
    const listed = (await store.list(10_000)).filter((entry) => entry.actionId === a || entry.actionId === b);
    expect(listed.map((entry) => [entry.actionId, entry.kind])).toEqual([
      [a, undefined],
      [b, 'BREAK_GLASS_REVIEW'],
    ]);
  });

  it('loses no change when many callers update one item at the same time (as replicas do)', async () => {
    const actionId = id();
    await store.add(item(actionId));
    const voters = Array.from({ length: 25 }, (_, i) => `approver-${i}`);
    await Promise.all(voters.map((voter) => store.update(actionId, (kept) => ({ ...kept, voters: [...kept.voters, voter] }))));
    expect((await store.get(actionId))?.voters.sort()).toEqual([...voters].sort());
  });
});

describe.each([
  ['PostgreSQL', postgres],
  ['in memory (embedded)', embedded],
])('the replay guard: %s', (_name, open) => {
  it('accepts a key once while it is remembered, and again once it is past its time', async () => {
    const { replays } = await open();
    const key = `slack:v0=${randomUUID()}`;
    expect(await replays.firstUse(key, new Date(Date.now() + 60_000))).toBe(true);
    expect(await replays.firstUse(key, new Date(Date.now() + 60_000))).toBe(false);
    const brief = `webhook:w:${randomUUID()}`;
    expect(await replays.firstUse(brief, new Date(Date.now() + 200))).toBe(true);
    await new Promise((resolve) => setTimeout(resolve, 400));
    expect(await replays.firstUse(brief, new Date(Date.now() + 60_000))).toBe(true);
  });
});

describe.each([
  ['PostgreSQL', postgres],
  ['in memory (embedded)', embedded],
])('the digest windows: %s', (_name, open) => {
  it('sends the first notice of a window, holds the rest, and hands them out once when the window ends', async () => {
    const { personalNotices } = await open();
    const recipient = { id: `carol-${randomUUID()}`, name: 'Carol', groups: [] };
    const notice = (line: string) => ({ recipient, line, message: { kind: 'owner' as const, item: item('act-1'), outcome: line } });
    const t0 = 1_000_000;
    expect(await personalNotices.admit(notice('one'), t0, 60_000)).toBe('send');
    expect(await personalNotices.admit(notice('two'), t0 + 1_000, 60_000)).toBe('held');
    expect(await personalNotices.admit(notice('three'), t0 + 2_000, 60_000)).toBe('held');
    const mine = (due: { recipient: { id: string }; line: string }[][]) => due.filter((held) => held[0]!.recipient.id === recipient.id).map((held) => held.map((n) => n.line));
    expect(mine(await personalNotices.takeDue(t0 + 30_000, 60_000))).toEqual([]);
    expect(mine(await personalNotices.takeDue(t0 + 60_000, 60_000))).toEqual([['two', 'three']]);
    expect(mine(await personalNotices.takeDue(t0 + 61_000, 60_000))).toEqual([]);
    expect(await personalNotices.admit(notice('four'), t0 + 61_000, 60_000)).toBe('send');
  });
});

describe('PostgreSQL: two replicas on one store', () => {
  it('keeps one pending list: what one replica adds and changes, the other lists', async () => {
    const [one, two] = [(await postgres()).pendingApprovals(), (await postgres()).pendingApprovals()];
    const actionId = `act-${randomUUID()}`;
    await one.add(item(actionId));
    await two.update(actionId, (kept) => ({ ...kept, voters: ['alice'] }));
    expect((await one.list(10_000)).find((entry) => entry.actionId === actionId)?.voters).toEqual(['alice']);
    await one.remove(actionId);
    expect((await two.list(10_000)).some((entry) => entry.actionId === actionId)).toBe(false);
  });

  it('refuses a replay sent to the other replica, and lets exactly one of two simultaneous uses through', async () => {
    const [one, two] = [(await postgres()).replays, (await postgres()).replays];
    const key = `webhook:votes:${randomUUID()}`;
    const until = new Date(Date.now() + 60_000);
    expect(await one.firstUse(key, until)).toBe(true);
    expect(await two.firstUse(key, until)).toBe(false);
    const raced = `slack:v0=${randomUUID()}`;
    const results = await Promise.all([one.firstUse(raced, until), two.firstUse(raced, until), one.firstUse(raced, until), two.firstUse(raced, until)]);
    expect(results.filter(Boolean)).toHaveLength(1);
  });

  it('keeps one digest window per person for both replicas, and hands each held notice to one of them', async () => {
    const [one, two] = [(await postgres()).personalNotices, (await postgres()).personalNotices];
    const recipient = { id: `dave-${randomUUID()}`, name: 'Dave', groups: [] };
    const notice = (line: string) => ({ recipient, line, message: { kind: 'owner' as const, item: item('act-2'), outcome: line } });
    const t0 = 2_000_000;
    expect(await one.admit(notice('a'), t0, 60_000)).toBe('send');
    expect(await two.admit(notice('b'), t0 + 10, 60_000)).toBe('held');
    expect(await one.admit(notice('c'), t0 + 20, 60_000)).toBe('held');
    const [x, y] = await Promise.all([one.takeDue(t0 + 60_000, 60_000), two.takeDue(t0 + 60_000, 60_000)]);
    const lines = [...x, ...y].filter((held) => held[0]!.recipient.id === recipient.id).map((held) => held.map((n) => n.line));
    expect(lines.flat().sort()).toEqual(['b', 'c']);
  });

  it('records the schema version it migrated to', async () => {
    await postgres();
    const { rows } = await admin((client) => client.query<{ version: number }>(`SELECT max(version) AS version FROM "${schema}".service_state_migrations`));
    expect(rows[0]!.version).toBe(SERVICE_STATE_SCHEMA_VERSION);
  });

  it('gives a lease to one holder at a time; it passes on when released or run out', async () => {
    const { leases } = await postgres();
    const name = `lease-${randomUUID()}`;
    expect(await leases.acquire(name, 'replica-a', 1_000)).toBe(true);
    expect(await leases.acquire(name, 'replica-b', 1_000)).toBe(false);
    expect(await leases.acquire(name, 'replica-a', 1_000)).toBe(true); // renewed
    await leases.release(name, 'replica-b'); // not the holder: nothing changes
    expect(await leases.acquire(name, 'replica-b', 1_000)).toBe(false);
    await leases.release(name, 'replica-a');
    expect(await leases.acquire(name, 'replica-b', 300)).toBe(true);
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(await leases.acquire(name, 'replica-a', 1_000)).toBe(true); // b's ran out
  });

  it('runs leased work on one replica; one cut off from the store stops before another takes over', async () => {
    const { leases } = await postgres();
    const name = `work-${randomUUID()}`;
    const running = new Set<string>();
    let overlaps = 0;
    const workOf = (replica: string) => ({
      start: async () => {
        running.add(replica);
        if (running.size > 1) overlaps += 1;
      },
      stop: async () => void running.delete(replica),
    });
    // replica-a's way to the store, which the test cuts (a partition, or a process that hangs).
    let cut = false;
    const leasesOfA = {
      acquire: (lease: string, holder: string, ttlMs: number) => (cut ? Promise.reject(new Error('connection lost')) : leases.acquire(lease, holder, ttlMs)),
      release: (lease: string, holder: string) => (cut ? Promise.reject(new Error('connection lost')) : leases.release(lease, holder)),
    };
    const options = { ttlMs: 1_500, renewMs: 200 };
    const a = new LeasedWork(leasesOfA, name, 'replica-a', workOf('replica-a'), options);
    const b = new LeasedWork(leases, name, 'replica-b', workOf('replica-b'), options);
    await a.start();
    await b.start();
    await new Promise((resolve) => setTimeout(resolve, 800));
    expect([...running]).toEqual(['replica-a']);
    expect([a.held, b.held]).toEqual([true, false]);

    cut = true;
    const cutAt = Date.now();
    while (!running.has('replica-b') && Date.now() - cutAt < 5_000) await new Promise((resolve) => setTimeout(resolve, 25));
    expect([...running]).toEqual(['replica-b']);
    expect(Date.now() - cutAt).toBeLessThan(1_500 + 500);
    expect(overlaps).toBe(0);
    await a.stop();
    await b.stop();
    expect(running.size).toBe(0);
  });
});

import { InMemoryEventStore, fixedClock, sequentialIds } from '@approvals/testing';
import { sha256Hex } from '../ledger/event-hash';
import { POLICY_HISTORY_STREAM, PolicyActivations, readPolicyHistory } from './policy-activations';

const files = [
  { name: 'approvals.cedarschema', text: 'entity Group;' },
  { name: 'read-only.cedar', text: 'permit (principal, action, resource);' },
];
let instances = 0;
/** One evaluator instance's history writer (each with ids of its own, as random ids would be). */
const activations = (store = new InMemoryEventStore(), by = 'policy-evaluator') => new PolicyActivations(store, fixedClock, sequentialIds(`evt-${(instances += 1)}`), by);

describe('PolicyActivations', () => {
  it('records each change of version with the one before it, and nothing when the version is already the running one', async () => {
    const store = new InMemoryEventStore();
    const history = activations(store);

    expect(await history.record('sha256:v1', 'start', 'policies/demo', files)).toMatchObject({ data: { fromVersion: null, toVersion: 'sha256:v1', trigger: 'start' } });
    expect(await history.record('sha256:v1', 'start', 'policies/demo', files)).toBeUndefined();
    expect(await history.record('sha256:v2', 'file-change', 'policies/demo', files)).toMatchObject({ data: { fromVersion: 'sha256:v1', toVersion: 'sha256:v2' } });

    const events = await store.readStream(POLICY_HISTORY_STREAM);
    expect(events.map((e) => [e.type, (e.data as { fromVersion: string | null }).fromVersion, (e.data as { toVersion: string }).toVersion])).toEqual([
      ['PolicySetActivated', null, 'sha256:v1'],
      ['PolicySetActivated', 'sha256:v1', 'sha256:v2'],
    ]);
    expect(events[1]!.metadata).toMatchObject({ actor: { kind: 'service', id: 'policy-evaluator' }, policyVersion: 'sha256:v2' });
    expect(events[1]!.data).toMatchObject({ source: 'policies/demo', activatedBy: 'policy-evaluator', activatedAt: fixedClock.now().toISOString() });
    // the texts that decided, with their hashes, so the ledger alone can reproduce the version
    expect((events[1]!.data as { files: unknown }).files).toEqual([
      { name: 'approvals.cedarschema', sha256: sha256Hex('entity Group;'), text: 'entity Group;' },
      { name: 'read-only.cedar', sha256: sha256Hex('permit (principal, action, resource);'), text: 'permit (principal, action, resource);' },
    ]);
  });

  it('records a change once when two evaluator instances activate the same version at the same time', async () => {
    const store = new InMemoryEventStore();
    await activations(store, 'a').record('sha256:v1', 'start', 'p', files);

    const results = await Promise.all([activations(store, 'a').record('sha256:v2', 'signal', 'p', files), activations(store, 'b').record('sha256:v2', 'signal', 'p', files)]);

    expect(results.filter((r) => r !== undefined)).toHaveLength(1);
    expect((await store.readStream(POLICY_HISTORY_STREAM)).map((e) => (e.data as { toVersion: string }).toVersion)).toEqual(['sha256:v1', 'sha256:v2']);
  });

  it('answers the history oldest first, for all versions or one, with the files only when asked', async () => {
    const store = new InMemoryEventStore();
    await activations(store).record('sha256:v1', 'start', 'p', files);
    await activations(store).record('sha256:v2', 'signal', 'p', files);

    const all = await readPolicyHistory(store, { version: '', includeFiles: false });
    expect(all.activations.map((a) => [a.fromVersion, a.toVersion, a.trigger, a.files.length])).toEqual([
      ['', 'sha256:v1', 'start', 0],
      ['sha256:v1', 'sha256:v2', 'signal', 0],
    ]);
    expect(all.activations[0]!.position).toMatch(/^\d+$/);
    const one = await readPolicyHistory(store, { version: 'sha256:v2', includeFiles: true });
    expect(one.activations).toHaveLength(1);
    expect(one.activations[0]!.files.map((f) => f.name)).toEqual(['approvals.cedarschema', 'read-only.cedar']);
    expect((await readPolicyHistory(store, { version: 'sha256:none', includeFiles: true })).activations).toEqual([]);
  });
});

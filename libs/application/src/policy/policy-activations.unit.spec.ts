import { InMemoryEventStore, fixedClock, sequentialIds } from '@approvals/testing';
import { POLICY_HISTORY_STREAM, PolicyActivations } from './policy-activations';

let instances = 0;
/** One evaluator instance's history writer (each with ids of its own, as random ids would be). */
const activations = (store = new InMemoryEventStore(), by = 'policy-evaluator') => new PolicyActivations(store, fixedClock, sequentialIds(`evt-${(instances += 1)}`), by);

describe('PolicyActivations', () => {
  it('records each change of version with the one before it, and nothing when the version is already the running one', async () => {
    const store = new InMemoryEventStore();
    const history = activations(store);

    expect(await history.record('sha256:v1', 'start', 'policies/demo')).toMatchObject({ data: { fromVersion: null, toVersion: 'sha256:v1', trigger: 'start' } });
    expect(await history.record('sha256:v1', 'start', 'policies/demo')).toBeUndefined();
    expect(await history.record('sha256:v2', 'file-change', 'policies/demo')).toMatchObject({ data: { fromVersion: 'sha256:v1', toVersion: 'sha256:v2' } });

    const events = await store.readStream(POLICY_HISTORY_STREAM);
    expect(events.map((e) => [e.type, (e.data as { fromVersion: string | null }).fromVersion, (e.data as { toVersion: string }).toVersion])).toEqual([
      ['PolicySetActivated', null, 'sha256:v1'],
      ['PolicySetActivated', 'sha256:v1', 'sha256:v2'],
    ]);
    expect(events[1]!.metadata).toMatchObject({ actor: { kind: 'service', id: 'policy-evaluator' }, policyVersion: 'sha256:v2' });
    expect(events[1]!.data).toMatchObject({ source: 'policies/demo', activatedBy: 'policy-evaluator', activatedAt: fixedClock.now().toISOString() });
  });

  it('records a change once when two evaluator instances activate the same version at the same time', async () => {
    const store = new InMemoryEventStore();
    await activations(store, 'a').record('sha256:v1', 'start', 'p');

    const results = await Promise.all([activations(store, 'a').record('sha256:v2', 'signal', 'p'), activations(store, 'b').record('sha256:v2', 'signal', 'p')]);

    expect(results.filter((r) => r !== undefined)).toHaveLength(1);
    expect((await store.readStream(POLICY_HISTORY_STREAM)).map((e) => (e.data as { toVersion: string }).toVersion)).toEqual(['sha256:v1', 'sha256:v2']);
  });
});

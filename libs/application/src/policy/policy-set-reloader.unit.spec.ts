import { InMemoryEventStore, fixedClock, sequentialIds } from '@approvals/testing';
import type { PolicyDecision } from '../ports/policy-engine.port';
import { POLICY_HISTORY_STREAM, PolicyActivations } from './policy-activations';
import { PolicySetReloader, type ReloadablePolicyEngine } from './policy-set-reloader';

/** An engine whose next reload activates `next`, or fails with `invalid`. */
class FakeEngine implements ReloadablePolicyEngine {
  version = 'sha256:v1';
  files = [{ name: 'set.cedar', text: 'v1' }];
  next: string | undefined;
  invalid: string | undefined;
  evaluate(): PolicyDecision {
    return { outcome: 'DENY', policyVersion: this.version, determiningPolicies: [], reasons: [] };
  }
  async reload() {
    if (this.invalid) throw new Error(this.invalid);
    const from = this.version;
    this.version = this.next ?? this.version;
    this.files = [{ name: 'set.cedar', text: this.version }];
    return { from, to: this.version, files: this.files };
  }
}

function given() {
  const store = new InMemoryEventStore();
  const engine = new FakeEngine();
  const reports: string[] = [];
  const reloader = new PolicySetReloader(engine, new PolicyActivations(store, fixedClock, sequentialIds('evt'), 'policy-evaluator'), 'policies/demo', {
    activated: (from, to, trigger) => reports.push(`activated ${from} -> ${to} (${trigger})`),
    unchanged: (version, trigger) => reports.push(`unchanged ${version} (${trigger})`),
    rejected: (message, running, trigger) => reports.push(`rejected (${trigger}), running ${running}: ${message}`),
    notRecorded: (error, version) => reports.push(`not recorded ${version}: ${(error as Error).message}`),
  });
  const history = async () => (await store.readStream(POLICY_HISTORY_STREAM)).map((e) => e.data as { fromVersion: string | null; toVersion: string; trigger: string });
  return { store, engine, reports, reloader, history };
}

describe('PolicySetReloader', () => {
  it('records the starting set, then each new valid version with the one it replaced', async () => {
    const { engine, reports, reloader, history } = given();
    await reloader.start();
    engine.next = 'sha256:v2';
    await reloader.reload('file-change');

    expect(await history()).toMatchObject([
      { fromVersion: null, toVersion: 'sha256:v1', trigger: 'start' },
      { fromVersion: 'sha256:v1', toVersion: 'sha256:v2', trigger: 'file-change' },
    ]);
    expect(reports).toEqual(['activated null -> sha256:v1 (start)', 'activated sha256:v1 -> sha256:v2 (file-change)']);
  });

  it('keeps the running set when the new one is invalid, says why, and records nothing', async () => {
    const { engine, reports, reloader, history } = given();
    await reloader.start();
    engine.invalid = 'invalid policy set policies/demo:\n  iam.cedar:3: unexpected token';
    await reloader.reload('signal');

    expect(engine.version).toBe('sha256:v1');
    expect(await history()).toHaveLength(1);
    expect(reports.at(-1)).toBe('rejected (signal), running sha256:v1: invalid policy set policies/demo:\n  iam.cedar:3: unexpected token');
  });

  it('records nothing for a reload that finds the same version, nor for a restart on it', async () => {
    const { reports, reloader, history } = given();
    await reloader.start();
    await reloader.reload('file-change');
    await reloader.start();

    expect(await history()).toHaveLength(1);
    expect(reports).toEqual(['activated null -> sha256:v1 (start)', 'unchanged sha256:v1 (file-change)']);
  });

  it('still activates when the ledger cannot record it, and says so', async () => {
    const { store, engine, reports, reloader } = given();
    await reloader.start();
    jest.spyOn(store, 'appendToStream').mockRejectedValueOnce(new Error('the ledger is down'));
    engine.next = 'sha256:v2';
    await reloader.reload('file-change');

    expect(engine.version).toBe('sha256:v2');
    expect(reports.at(-1)).toBe('not recorded sha256:v2: the ledger is down');
  });
});

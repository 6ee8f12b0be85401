import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findDemoPolicyDir, loadCedarPolicySet } from '@approvals/policy-cedar';
import type { ApprovalsApi } from './api';
import { runCli } from './cli';
import { ExitCode } from './errors';

// `approvals policy validate|test` on real policy files (the shipped demo set, and broken copies).
const demo = findDemoPolicyDir();
const demoCases = join(demo, 'tests', 'demo.policy-tests.json');

async function cli(...argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli(argv, { io: { out: (text) => out.push(text), err: (text) => err.push(text) }, env: { APPROVALS_DIRECTORY: join(demo, 'directory.json') } });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

describe('approvals policy', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'approvals-policy-cli-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('validates the shipped policy set and names its version', async () => {
    const { code, out } = await cli('policy', 'validate');
    expect(code).toBe(ExitCode.ok);
    expect(out).toMatch(/^policy set .*policies\/demo is valid: 11 policies, version sha256:[0-9a-f]{16}$/);
  });

  it('passes the shipped policy tests', async () => {
    const { code, out } = await cli('policy', 'test', demoCases);
    expect(code).toBe(ExitCode.ok);
    expect(out).toMatch(/: 21 cases, all passed$/);
    expect(out).not.toContain('FAIL');
  });

  it('fails with file and line when a policy does not validate', async () => {
    cpSync(demo, dir, { recursive: true });
    writeFileSync(join(dir, 'broken.cedar'), '@id("broken")\npermit (principal is Agent, action == Action::"db.nope", resource);\n');
    const { code, err } = await cli('policy', 'validate', '--policies', dir);
    expect(code).toBe(ExitCode.failure);
    expect(err).toMatch(/broken\.cedar:2: .*unrecognized action `Action::"db\.nope"`/);
  });

  it('fails when the directory cannot fill an approver group the policies name', async () => {
    cpSync(demo, dir, { recursive: true });
    writeFileSync(join(dir, 'directory.json'), JSON.stringify({ groups: [{ id: 'data-owners' }, { id: 'security' }], humans: [{ id: 'carol', name: 'Carol', groups: ['security'] }], agents: [] }));
    const out: string[] = [];
    const err: string[] = [];
    const code = await runCli(['policy', 'validate', '--policies', dir, '--directory', join(dir, 'directory.json')], { io: { out: (t) => out.push(t), err: (t) => err.push(t) } });
    expect(code).toBe(ExitCode.failure);
    expect(err.join('\n')).toMatch(/iam\.cedar:\d+: policy "iam-escalate-needs-two-security" needs 2 approver\(s\) from "security", but the directory has 1 member\(s\)/);
  });

  it('prints a readable diff for each case that does not hold, and exits 1', async () => {
    const cases = join(dir, 'cases.json');
    writeFileSync(
      cases,
      JSON.stringify({
        cases: [
          { name: 'reads are fine', request: { agentId: 'agent-reporting', action: 'db.read', resource: { kind: 'dataset', id: 'c' }, environment: 'prod' }, expect: { outcome: 'ALLOW' } },
          { name: 'prod deletes are fine (wrong)', request: { agentId: 'agent-ops', action: 'infra.delete', resource: { kind: 'cluster', id: 'eu-1' }, environment: 'prod' }, expect: { outcome: 'ALLOW' } },
        ],
      }),
    );
    const { code, out } = await cli('policy', 'test', cases);
    expect(code).toBe(ExitCode.failure);
    expect(out.split('\n')).toEqual([
      'ok    reads are fine',
      'FAIL  prod deletes are fine (wrong)',
      '        outcome:',
      '          expected "ALLOW"',
      '          got      "DENY"',
      '        the policy set decided DENY by infra-delete-prod-forbidden',
      '          because agents may never delete infrastructure in prod',
      expect.stringMatching(/^policy tests on sha256:[0-9a-f]{16}: 2 cases, 1 FAILED$/),
    ]);
  });

  it('refuses a bad cases file by naming the field, and an unknown subcommand as a usage error', async () => {
    const cases = join(dir, 'cases.json');
    writeFileSync(cases, JSON.stringify({ cases: [{ name: 'x', request: { agentId: 'a' }, expect: { outcome: 'ALLOW' } }] }));
    const bad = await cli('policy', 'test', cases);
    expect(bad.code).toBe(ExitCode.failure);
    expect(bad.err).toMatch(/cases\.json is not a valid policy test file:\n {2}cases\.0\.request\.action: /);

    const unknown = await cli('policy', 'frob');
    expect(unknown.code).toBe(ExitCode.usage);
    expect(unknown.err).toMatch(/policy: say "policy validate", "policy test <cases.json>", "policy explain <actionId>" or "policy history", not "frob"/);
  });

  describe('explain, when the ledger holds no copy of the recorded version', () => {
    const request = { agentId: 'agent-ops', model: 'm', action: 'infra.delete', resource: { kind: 'cluster', id: 'eu-1' }, environment: 'prod', parameters: {}, justification: 'j', idempotencyKey: 'k' };
    const timelineFor = (policyVersion: string) => ({
      actionId: 'act-1',
      status: 'DENIED' as const,
      entries: [
        { type: 'ActionRequested', revision: 0, dataJson: JSON.stringify({ actionId: 'act-1', request, requestHash: 'h', requestedAt: '2025-03-01T09:00:00Z' }) },
        {
          type: 'PolicyEvaluated',
          revision: 1,
          dataJson: JSON.stringify({ actionId: 'act-1', outcome: 'DENY', policyVersion, determiningPolicies: ['infra-delete-prod-forbidden'], reasons: ['agents may never delete infrastructure in prod'], evaluatedAt: '2025-03-01T09:00:01Z' }),
        },
      ].map((entry) => ({ position: '1', eventId: 'e', occurredAt: '', actor: '', summary: '', traceId: '', hash: '', prevHash: '', ...entry })),
    });
    const explainWith = async (policyVersion: string) => {
      const out: string[] = [];
      const err: string[] = [];
      const api = { getTimeline: async () => timelineFor(policyVersion), getPolicyHistory: async () => ({ activations: [] }), close: () => undefined } as unknown as ApprovalsApi;
      const code = await runCli(['policy', 'explain', 'act-1', '--as', 'alice'], {
        io: { out: (t) => out.push(t), err: (t) => err.push(t) },
        env: { APPROVALS_DIRECTORY: join(demo, 'directory.json') },
        connect: () => api,
      });
      return { code, out: out.join('\n'), err: err.join('\n') };
    };

    it('uses the local policies when they are that version', async () => {
      const { code, out } = await explainWith(loadCedarPolicySet(demo).version);
      expect(code).toBe(ExitCode.ok);
      expect(out).toMatch(/evaluated again with .*policies\/demo: DENY by infra-delete-prod-forbidden\nthe same outcome, policies and requirement$/);
    });

    it('refuses to compare against another version', async () => {
      const { code, err } = await explainWith('sha256:0123456789abcdef');
      expect(code).toBe(ExitCode.failure);
      expect(err).toMatch(/evaluated by policy set sha256:0123456789abcdef; the ledger holds no copy of policy set sha256:0123456789abcdef, and .* is sha256:[0-9a-f]{16}: give --policies the directory of that version/);
    });
  });
});

import { join } from 'node:path';
import { CedarPolicyEngine } from './cedar-policy.engine';
import { loadCedarPolicySet } from './cedar-policy-set';
import { findDemoPolicyDir } from './demo-policy-dir';
import { loadPolicyTestCases, PolicyTestFileError, runPolicyTests, type PolicyTestCase } from './policy-tests';
import { loadDirectory } from '@approvals/identity';

const dir = findDemoPolicyDir();
const engine = new CedarPolicyEngine(loadCedarPolicySet(dir), { directory: loadDirectory(join(dir, 'directory.json')) });
const escalation = { agentId: 'agent-ops', model: 'm', action: 'iam.escalate', resource: { kind: 'role', id: 'admin' }, environment: 'prod', parameters: {}, justification: 'j' };
const read = (text: string) => () => text;

describe('policy tests', () => {
  it('pass when outcome, determining policies and requirement are as expected', () => {
    const cases: PolicyTestCase[] = [
      {
        name: 'escalation',
        request: escalation,
        expect: { outcome: 'REQUIRE_APPROVAL', determiningPolicies: ['iam-escalate-needs-two-security'], requirement: { steps: [{ group: 'security', minApprovals: 2 }], ttlSeconds: 900 } },
      },
    ];
    expect(runPolicyTests(engine, cases)).toMatchObject([{ name: 'escalation', passed: true, differences: [] }]);
  });

  it('report each expectation that does not hold, with what the policy set decided', () => {
    const cases: PolicyTestCase[] = [
      {
        name: 'wrong on every count',
        request: escalation,
        expect: { outcome: 'ALLOW', determiningPolicies: ['read-only-actions-allowed'], requirement: { steps: [{ group: 'security', minApprovals: 1 }], denyEndsRequest: false } },
      },
    ];
    const [result] = runPolicyTests(engine, cases);
    expect(result).toMatchObject({ passed: false, decision: { outcome: 'REQUIRE_APPROVAL', reasons: ['privilege escalation needs two approvers from security'] } });
    expect(result!.differences).toEqual([
      { field: 'outcome', expected: 'ALLOW', actual: 'REQUIRE_APPROVAL' },
      { field: 'determiningPolicies', expected: ['read-only-actions-allowed'], actual: ['iam-escalate-needs-two-security'] },
      {
        field: 'requirement',
        expected: { steps: [{ group: 'security', minApprovals: 1 }], denyEndsRequest: false },
        actual: { steps: [{ group: 'security', minApprovals: 2 }], ttlSeconds: 900, denyEndsRequest: true, channels: ['slack:#security-approvals', 'teams:security', 'webhook:siem'] },
      },
    ]);
  });

  it('compare only the requirement fields a case names, and an absent requirement as null', () => {
    const [allowed] = runPolicyTests(engine, [
      { name: 'read', request: { ...escalation, action: 'db.read' }, expect: { outcome: 'ALLOW', requirement: { steps: [{ group: 'security', minApprovals: 1 }] } } },
    ]);
    expect(allowed!.differences).toEqual([{ field: 'requirement', expected: { steps: [{ group: 'security', minApprovals: 1 }] }, actual: null }]);
  });

  it('fill the request defaults and read a whole file', () => {
    const cases = loadPolicyTestCases(
      'cases.json',
      read(JSON.stringify({ cases: [{ name: 'a', request: { agentId: 'x', action: 'db.read', resource: { kind: 'd', id: '1' }, environment: 'prod' }, expect: { outcome: 'DENY' } }] })),
    );
    expect(cases[0]!.request).toEqual({ agentId: 'x', model: 'policy-test', action: 'db.read', resource: { kind: 'd', id: '1' }, environment: 'prod', parameters: {}, justification: 'policy test' });
  });

  it.each([
    ['not JSON', '{ cases: ', /cases\.json: .*JSON/],
    ['no cases', '{ "cases": [] }', /cases: must hold at least one case/],
    ['an unknown field', '{ "cases": [{ "name": "a", "request": { "agentId": "x", "action": "a", "resource": { "kind": "d", "id": "1" }, "environment": "e", "colour": 1 }, "expect": { "outcome": "DENY" } }] }', /cases\.0\.request: Unrecognized key: "colour"/],
    ['a bad outcome', '{ "cases": [{ "name": "a", "request": { "agentId": "x", "action": "a", "resource": { "kind": "d", "id": "1" }, "environment": "e" }, "expect": { "outcome": "MAYBE" } }] }', /cases\.0\.expect\.outcome/],
    [
      'two cases with one name',
      JSON.stringify({ cases: [1, 2].map(() => ({ name: 'same', request: { agentId: 'x', action: 'a', resource: { kind: 'd', id: '1' }, environment: 'e' }, expect: { outcome: 'DENY' } })) }),
      /two cases are named "same"/,
    ],
  ])('refuse a file with %s, naming the file and the field', (_case, text, message) => {
    expect(() => loadPolicyTestCases('cases.json', read(text))).toThrow(PolicyTestFileError);
    expect(() => loadPolicyTestCases('cases.json', read(text))).toThrow(message);
  });
});

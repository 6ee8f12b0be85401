import type { ActionRequest } from '@approvals/domain';
import { loadDirectory, parseDirectory } from '@approvals/identity';
import { CedarPolicyEngine } from './cedar-policy.engine';
import { loadCedarPolicySet, parseCedarPolicySet, type PolicySourceFile } from './cedar-policy-set';
import { findDemoPolicyDir } from './demo-policy-dir';
import { approverGroupProblems } from './approver-groups.check';
import { join } from 'node:path';
import { readFileSync } from 'node:fs';

const demoDir = findDemoPolicyDir(__dirname);
const directory = loadDirectory(join(demoDir, 'directory.json'));
const engine = new CedarPolicyEngine(loadCedarPolicySet(demoDir), { directory });

const request = (overrides: Partial<ActionRequest> = {}): ActionRequest => ({
  agentId: 'agent-reporting',
  model: 'gpt-test',
  onBehalfOf: 'olivia',
  action: 'db.read',
  resource: { kind: 'table', id: 'customers' },
  environment: 'prod',
  dataClassification: 'pii',
  parameters: {},
  justification: 'weekly report',
  idempotencyKey: 'key-1',
  ...overrides,
});

describe('CedarPolicyEngine on the demo policy set', () => {
  it('allows read-only actions', () => {
    const decision = engine.evaluate(request({ action: 'db.read' }));

    expect(decision).toEqual({
      outcome: 'ALLOW',
      policyVersion: engine.version,
      determiningPolicies: ['read-only-actions-allowed'],
      reasons: ['read-only actions are allowed without approval'],
    });
    expect(engine.evaluate(request({ action: 'infra.read', agentId: 'agent-ops' })).outcome).toBe('ALLOW');
  });

  it('requires one data owner for an export of 5000 rows from prod', () => {
    const decision = engine.evaluate(request({ action: 'db.export', parameters: { rows: 5000 } }));

    expect(decision.outcome).toBe('REQUIRE_APPROVAL');
    expect(decision.determiningPolicies).toEqual(['export-large-prod-needs-data-owner']);
    expect(decision.reasons).toEqual([
      "exporting more than 1000 rows (or an unstated number) from prod needs a data owner's approval",
    ]);
    expect(decision.requirement).toEqual({
      steps: [{ group: 'data-owners', minApprovals: 1 }],
      ttlSeconds: 3600,
      denyEndsRequest: true,
      channels: ['slack:#data-approvals'],
      standing: { maxSeconds: 1800 },
    });
  });

  it('treats a prod export without a row count as large', () => {
    expect(engine.evaluate(request({ action: 'db.export' })).outcome).toBe('REQUIRE_APPROVAL');
  });

  it('allows an export of 10 rows, and a large export outside prod', () => {
    const small = engine.evaluate(request({ action: 'db.export', parameters: { rows: 10 } }));
    const staging = engine.evaluate(request({ action: 'db.export', environment: 'staging', parameters: { rows: 5000 } }));

    expect(small).toMatchObject({ outcome: 'ALLOW', determiningPolicies: ['export-allowed'] });
    expect(small.requirement).toBeUndefined();
    expect(staging).toMatchObject({ outcome: 'ALLOW', determiningPolicies: ['export-allowed'] });
  });

  it('allows an export of exactly 1000 rows and asks for approval at 1001', () => {
    expect(engine.evaluate(request({ action: 'db.export', parameters: { rows: 1000 } })).outcome).toBe('ALLOW');
    expect(engine.evaluate(request({ action: 'db.export', parameters: { rows: 1001 } })).outcome).toBe('REQUIRE_APPROVAL');
  });

  it('requires two approvers from security for iam.escalate', () => {
    const decision = engine.evaluate(request({ agentId: 'agent-ops', onBehalfOf: 'dave', action: 'iam.escalate', resource: { kind: 'role', id: 'admin' } }));

    expect(decision).toMatchObject({
      outcome: 'REQUIRE_APPROVAL',
      determiningPolicies: ['iam-escalate-needs-two-security'],
      requirement: { steps: [{ group: 'security', minApprovals: 2 }], ttlSeconds: 900, denyEndsRequest: true },
    });
  });

  it('denies infra.delete in prod through the forbid policy, which beats the approval permit', () => {
    const decision = engine.evaluate(request({ agentId: 'agent-ops', action: 'infra.delete', resource: { kind: 'cluster', id: 'eu-1' } }));

    expect(decision).toEqual({
      outcome: 'DENY',
      policyVersion: engine.version,
      determiningPolicies: ['infra-delete-prod-forbidden'],
      reasons: ['agents may never delete infrastructure in prod'],
    });
  });

  it('asks security before infra.delete outside prod', () => {
    const decision = engine.evaluate(request({ agentId: 'agent-ops', action: 'infra.delete', environment: 'staging' }));

    expect(decision).toMatchObject({ outcome: 'REQUIRE_APPROVAL', requirement: { steps: [{ group: 'security', minApprovals: 1 }] } });
  });

  it('denies an action the schema does not declare', () => {
    const decision = engine.evaluate(request({ action: 'db.drop' }));

    expect(decision).toMatchObject({ outcome: 'DENY', determiningPolicies: [] });
    expect(decision.reasons[0]).toContain('"db.drop" is not declared in the policy schema');
  });

  it('denies a declared action that no policy permits (default deny)', () => {
    const decision = engine.evaluate(request({ action: 'db.write' }));

    expect(decision).toMatchObject({ outcome: 'DENY', determiningPolicies: [] });
    expect(decision.reasons).toEqual(['no policy permits "db.write" on table "customers"']);
  });

  it('denies an action group that is not requestable', () => {
    expect(engine.evaluate(request({ action: 'read-only' })).outcome).toBe('DENY');
  });

  it('denies, never allows, when a mapped parameter has the wrong type', () => {
    const decision = engine.evaluate(request({ action: 'db.export', parameters: { rows: '10' } }));

    expect(decision.outcome).toBe('DENY');
    expect(decision.reasons[0]).toContain('parameters.rows must be a whole number >= 0, got "10"');
  });

  it('lets policies see a parameter that the schema declares in the context, by name and type', () => {
    const write = (parameters: ActionRequest['parameters']) =>
      engine.evaluate(request({ agentId: 'agent-mcp', action: 'mcp.fs.write_file', resource: { kind: 'file', id: 'f' }, parameters }));
    expect(write({ path: '/home/me/mcp-scratch/a.txt', content: 'x' })).toMatchObject({ outcome: 'REQUIRE_APPROVAL' });
    expect(write({ path: '/etc/passwd', content: 'x' })).toMatchObject({ outcome: 'DENY', determiningPolicies: ['mcp-fs-outside-scratch-forbidden'] });
    // Without the parameter, the policy sees no path at all.
    expect(write({ content: 'x' })).toMatchObject({ outcome: 'DENY', determiningPolicies: ['mcp-fs-change-without-path-forbidden'] });
    const wrongType = write({ path: 42 });
    expect(wrongType).toMatchObject({ outcome: 'DENY', determiningPolicies: [] });
    expect(wrongType.reasons.join()).toMatch(/parameters\.path must be a string \(the policy schema declares context\.path as String\), got 42/);
    // A parameter the schema does not declare never reaches the context (it would fail validation).
    expect(write({ path: '/home/me/mcp-scratch/a.txt', content: 'x', mode: 'append' })).toMatchObject({ outcome: 'REQUIRE_APPROVAL' });
  });

  it('denies an agent that is not in the directory', () => {
    const decision = engine.evaluate(request({ agentId: 'agent-unknown' }));

    expect(decision.outcome).toBe('DENY');
    expect(decision.reasons[0]).toContain('agent "agent-unknown" is not in the directory');
  });

  it('evaluates without a directory (no owner on the agent)', () => {
    const standalone = new CedarPolicyEngine(loadCedarPolicySet(demoDir));

    expect(standalone.evaluate(request({ agentId: 'anyone' })).outcome).toBe('ALLOW');
    expect(standalone.version).toBe(engine.version);
  });

  it('names only directory groups that can meet the demo quorums', () => {
    expect(approverGroupProblems(engine.policySet, directory)).toEqual([]);
  });

  it('reports approval steps that the directory cannot fill', () => {
    const small = parseDirectory(
      { groups: [{ id: 'security' }], humans: [{ id: 'carol', name: 'Carol', groups: ['security'] }], agents: [] },
      'small.json',
    );

    expect(approverGroupProblems(engine.policySet, small)).toEqual([
      'data-export.cedar:8: policy "export-large-prod-needs-data-owner" needs 1 approver(s) from "data-owners", but the directory has 0 member(s) in that group',
      'iam.cedar:2: policy "iam-escalate-needs-two-security" needs 2 approver(s) from "security", but the directory has 1 member(s) in that group',
      'infra.cedar:4: policy "infra-delete-needs-security" offers break-glass to "sre-oncall", but the directory has nobody in that group',
      'mcp.cedar:4: policy "mcp-fs-changes-need-a-data-owner" needs 1 approver(s) from "data-owners", but the directory has 0 member(s) in that group',
      'mcp.cedar:41: policy "mcp-everything-sum-needs-approval" needs 1 approver(s) from "data-owners", but the directory has 0 member(s) in that group',
    ]);
  });

  it('gives the same decision for the same request (re-evaluation, I9)', () => {
    const input = request({ action: 'db.export', parameters: { rows: 5000 } });

    expect(engine.evaluate(input)).toEqual(engine.evaluate(input));
  });
});

describe('CedarPolicyEngine fails closed', () => {
  const schema: PolicySourceFile = { name: 'approvals.cedarschema', text: readFileSync(join(demoDir, 'approvals.cedarschema'), 'utf8') };
  const engineFor = (text: string) => new CedarPolicyEngine(parseCedarPolicySet(schema, [{ name: 'p.cedar', text }]));

  it('denies when a forbid policy errors at evaluation time instead of skipping it', () => {
    // Long overflow is a runtime error that the validator cannot rule out.
    const failing = engineFor(`
      @id("allow-all") permit (principal, action, resource);
      @id("forbid-overflow") forbid (principal, action, resource)
      when { context has rowCount && context.rowCount * 9223372036854775807 > 0 };
    `);

    const decision = failing.evaluate(request({ action: 'db.export', parameters: { rows: 5000 } }));

    expect(decision.outcome).toBe('DENY');
    expect(decision.determiningPolicies).toEqual(['forbid-overflow']);
    expect(decision.reasons[0]).toContain('failed to evaluate, denied (fail closed)');
  });

  it('denies a malformed request with a reason', () => {
    const decision = engineFor('@id("allow-all") permit (principal, action, resource);').evaluate(
      request({ resource: undefined as unknown as ActionRequest['resource'] }),
    );

    expect(decision.outcome).toBe('DENY');
    expect(decision.reasons[0]).toContain('request.resource.kind must be a non-empty string');
  });

  it('maps costUsd to a Cedar decimal', () => {
    const costly = engineFor(`
      @id("allow-all") permit (principal, action, resource);
      @id("too-costly") @reason("too expensive") forbid (principal, action, resource)
      when { context has costUsd && context.costUsd.greaterThan(decimal("100.0")) };
    `);

    expect(costly.evaluate(request({ parameters: { costUsd: 100.5 } }))).toMatchObject({ outcome: 'DENY', reasons: ['too expensive'] });
    expect(costly.evaluate(request({ parameters: { costUsd: 99.99 } })).outcome).toBe('ALLOW');
    expect(costly.evaluate(request({ parameters: { costUsd: -1 } })).outcome).toBe('DENY');
  });

  it('lets policies see the owner and their groups from the directory', () => {
    const ownerAware = new CedarPolicyEngine(
      parseCedarPolicySet(schema, [
        {
          name: 'p.cedar',
          text: `
            @id("analysts-agents-only") permit (principal is Agent, action, resource)
            when { principal has owner && principal.owner in Group::"analysts" };
          `,
        },
      ]),
      { directory },
    );

    expect(ownerAware.evaluate(request({ agentId: 'agent-reporting' })).outcome).toBe('ALLOW');
    expect(ownerAware.evaluate(request({ agentId: 'agent-ops' })).outcome).toBe('DENY');
  });
});

describe('context attributes filled from parameters, however the schema spells them', () => {
  const schemaWith = (namespace: string, context: string, extra: string) => ({
    name: 'approvals.cedarschema',
    text: `${namespace ? `namespace ${namespace} {` : ''}
entity Group; entity Human in [Group]; entity Agent { owner?: Human }; entity Resource { kind: String };
type RequestContext = { environment: String, model: String, ${extra} };
action "mcp.fs.write_file" appliesTo { principal: [Agent], resource: [Resource], context: ${context} };
${namespace ? '}' : ''}`,
  });
  const forbid = (namespace: string) => {
    const action = namespace ? `${namespace}::Action` : 'Action';
    return `permit (principal, action == ${action}::"mcp.fs.write_file", resource);
@id("no-etc") forbid (principal, action, resource) when { context has path && context.path like "/etc/*" };
@id("dry-runs-only") forbid (principal, action, resource) when { context has dryRun && context.dryRun == false };`;
  };
  const write = (engine: CedarPolicyEngine, parameters: ActionRequest['parameters']) =>
    engine.evaluate(request({ action: 'mcp.fs.write_file', resource: { kind: 'file', id: 'f' }, parameters, onBehalfOf: undefined, dataClassification: undefined }));

  it.each([
    ['', 'RequestContext'],
    ['Approvals', 'RequestContext'],
    ['Approvals', 'Approvals::RequestContext'],
  ])('namespace "%s", context %s: String and Bool attributes reach the policies', (namespace, context) => {
    const engine = new CedarPolicyEngine(parseCedarPolicySet(schemaWith(namespace, context, 'path?: String, dryRun?: Bool'), [{ name: 'p.cedar', text: forbid(namespace) }]));
    expect(write(engine, { path: '/etc/passwd', dryRun: true })).toMatchObject({ outcome: 'DENY', determiningPolicies: ['no-etc'] });
    expect(write(engine, { path: '/srv/a', dryRun: false })).toMatchObject({ outcome: 'DENY', determiningPolicies: ['dry-runs-only'] });
    expect(write(engine, { path: '/srv/a', dryRun: true })).toMatchObject({ outcome: 'ALLOW' });
  });

  it('refuses to load a schema whose extra context attribute no parameter can fill (its policies would never fire)', () => {
    expect(() => parseCedarPolicySet(schemaWith('', 'RequestContext', 'paths?: Set<String>'), [{ name: 'p.cedar', text: 'permit (principal, action, resource);' }])).toThrow(
      /context attribute "paths" of action "mcp.fs.write_file" is declared as Set: a parameter can fill only String, Long or Bool attributes/,
    );
  });
});

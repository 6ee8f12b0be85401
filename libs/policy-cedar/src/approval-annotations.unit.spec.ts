import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ActionRequest } from '@approvals/domain';
import { parsePolicyAnnotations, strictestRequirement } from './approval-annotations';
import { CedarPolicyEngine } from './cedar-policy.engine';
import { loadCedarPolicySet } from './cedar-policy-set';
import { findDemoPolicyDir } from './demo-policy-dir';

describe('parsePolicyAnnotations', () => {
  it('reads a requirement with defaults (quorum 1, one hour, deny ends the request)', () => {
    const { annotations, problems } = parsePolicyAnnotations('permit', { approval: 'required', approvers: 'data-owners, security' });

    expect(problems).toEqual([]);
    expect(annotations.approval).toEqual({
      steps: [
        { group: 'data-owners', minApprovals: 1 },
        { group: 'security', minApprovals: 1 },
      ],
      ttlSeconds: 3600,
      denyEndsRequest: true,
    });
  });

  it('reads one quorum per group and denyEndsRequest false', () => {
    const { annotations } = parsePolicyAnnotations('permit', {
      approval: 'required',
      approvers: 'a,b',
      quorum: '2,1',
      ttl: '60',
      denyEndsRequest: 'false',
    });

    expect(annotations.approval).toEqual({
      steps: [
        { group: 'a', minApprovals: 2 },
        { group: 'b', minApprovals: 1 },
      ],
      ttlSeconds: 60,
      denyEndsRequest: false,
    });
  });

  it('treats a permit without @approval as a plain allow', () => {
    expect(parsePolicyAnnotations('permit', { id: 'x', reason: 'because' })).toEqual({
      annotations: { id: 'x', reason: 'because' },
      problems: [],
    });
  });
});

describe('parsePolicyAnnotations: standing approvals and break-glass', () => {
  const approval = { approval: 'required', approvers: 'sre' };

  it('reads @standing as the longest standing approval, and @breakGlass with its review deadline', () => {
    const { annotations, problems } = parsePolicyAnnotations('permit', {
      ...approval,
      standing: '3600',
      breakGlass: 'sre-oncall, incident-commanders',
      breakGlassReview: '43200',
    });
    expect(problems).toEqual([]);
    expect(annotations.approval).toMatchObject({
      standing: { maxSeconds: 3600 },
      breakGlass: { groups: ['sre-oncall', 'incident-commanders'], reviewWithinSeconds: 43200 },
    });
  });

  it('reviews break-glass within a day by default, and offers neither exception unless annotated', () => {
    expect(parsePolicyAnnotations('permit', { ...approval, breakGlass: 'sre-oncall' }).annotations.approval?.breakGlass).toEqual({
      groups: ['sre-oncall'],
      reviewWithinSeconds: 86_400,
    });
    const plain = parsePolicyAnnotations('permit', approval).annotations.approval;
    expect(plain?.standing).toBeUndefined();
    expect(plain?.breakGlass).toBeUndefined();
  });

  it.each<[string, Record<string, string>, RegExp]>([
    ['a standing time that is not whole seconds', { ...approval, standing: '30m' }, /@standing must be .* whole seconds/],
    ['a bad break-glass group', { ...approval, breakGlass: 'On Call' }, /@breakGlass: "On Call" is not a valid group name/],
    ['a review deadline without break-glass', { ...approval, breakGlassReview: '60' }, /@breakGlassReview only applies with @breakGlass/],
    ['a review deadline of zero', { ...approval, breakGlass: 'sre-oncall', breakGlassReview: '0' }, /@breakGlassReview must be a positive/],
    ['@standing on a plain permit', { standing: '60' }, /only apply to a permit annotated @approval/],
    ['@breakGlass on a plain permit', { breakGlass: 'sre-oncall' }, /only apply to a permit annotated @approval/],
  ])('rejects %s', (_name, annotations, message) => {
    const { problems, annotations: parsed } = parsePolicyAnnotations('permit', annotations);
    expect(problems).toEqual(expect.arrayContaining([expect.stringMatching(message)]));
    expect(parsed.approval).toBeUndefined();
  });
});

describe('parsePolicyAnnotations: escalation', () => {
  it('reads @escalate as <seconds>:<group> steps in time order, and refuses steps at or after the deadline', () => {
    const { annotations, problems } = parsePolicyAnnotations('permit', { approval: 'required', approvers: 'sre', ttl: '1800', escalate: '1200:oncall, 600:sre-leads' });
    expect(problems).toEqual([]);
    expect(annotations.approval?.escalation).toEqual([
      { afterSeconds: 600, group: 'sre-leads' },
      { afterSeconds: 1200, group: 'oncall' },
    ]);
    expect(parsePolicyAnnotations('permit', { approval: 'required', approvers: 'sre', ttl: '600', escalate: '600:oncall' }).problems).toEqual([
      expect.stringContaining('600 s is not before the request expires'),
    ]);
    expect(parsePolicyAnnotations('permit', { approval: 'required', approvers: 'sre', escalate: 'soon:oncall' }).problems).toEqual([expect.stringContaining('<seconds>:<group>')]);
  });

  it('keeps only the fallback groups every matching policy escalates to, at the latest time', () => {
    const base = { steps: [{ group: 'sre', minApprovals: 1 }], ttlSeconds: 3600, denyEndsRequest: true };
    const one = { ...base, escalation: [{ afterSeconds: 600, group: 'leads' }, { afterSeconds: 900, group: 'oncall' }] };
    const two = { ...base, escalation: [{ afterSeconds: 1200, group: 'leads' }] };
    expect(strictestRequirement([one, two]).escalation).toEqual([{ afterSeconds: 1200, group: 'leads' }]);
    expect(strictestRequirement([one, base]).escalation).toBeUndefined();
  });
});

describe('parsePolicyAnnotations: channels', () => {
  it('reads @channels as <kind>:<target> entries, and refuses unknown kinds or malformed entries', () => {
    const { annotations, problems } = parsePolicyAnnotations('permit', { approval: 'required', approvers: 'sre', channels: 'slack:#ops, teams:sre,slack:#ops' });
    expect(problems).toEqual([]);
    expect(annotations.approval?.channels).toEqual(['slack:#ops', 'teams:sre']);
    expect(parsePolicyAnnotations('permit', { approval: 'required', approvers: 'sre', channels: 'pager:oncall' }).problems).toEqual([
      expect.stringContaining('@channels: "pager:oncall" must be <kind>:<target> with kind slack, teams, webhook, console'),
    ]);
    expect(parsePolicyAnnotations('permit', { approval: 'required', approvers: 'sre', channels: '#ops' }).problems).toHaveLength(1);
    expect(parsePolicyAnnotations('permit', { channels: 'slack:#ops' }).problems).toEqual([expect.stringContaining('only apply to a permit annotated @approval')]);
  });

  it('delivers a combined requirement to every channel any matching policy names', () => {
    const base = { steps: [{ group: 'sre', minApprovals: 1 }], ttlSeconds: 600, denyEndsRequest: true };
    expect(strictestRequirement([{ ...base, channels: ['slack:#a'] }, { ...base, channels: ['slack:#a', 'teams:b'] }, base]).channels).toEqual(['slack:#a', 'teams:b']);
    expect(strictestRequirement([base, base]).channels).toBeUndefined();
  });
});

describe('strictestRequirement', () => {
  it('keeps standing approvals and break-glass only when every matching policy offers them', () => {
    const base = { steps: [{ group: 'sre', minApprovals: 1 }], ttlSeconds: 600, denyEndsRequest: true };
    const open = { ...base, standing: { maxSeconds: 3600 }, breakGlass: { groups: ['oncall', 'leads'], reviewWithinSeconds: 86_400 } };
    const narrower = { ...base, standing: { maxSeconds: 600 }, breakGlass: { groups: ['leads', 'other'], reviewWithinSeconds: 3600 } };

    expect(strictestRequirement([open, narrower])).toMatchObject({
      standing: { maxSeconds: 600 },
      breakGlass: { groups: ['leads'], reviewWithinSeconds: 3600 },
    });
    const combined = strictestRequirement([open, base]);
    expect(combined.standing).toBeUndefined();
    expect(combined.breakGlass).toBeUndefined();
    const disjoint = strictestRequirement([open, { ...base, breakGlass: { groups: ['other'], reviewWithinSeconds: 60 } }]);
    expect(disjoint.breakGlass).toBeUndefined();
  });

  it('unites the steps at the highest quorum, keeps the shortest TTL, and denies on any deny-ends flag', () => {
    expect(
      strictestRequirement([
        { steps: [{ group: 'data-owners', minApprovals: 1 }], ttlSeconds: 3600, denyEndsRequest: false },
        {
          steps: [
            { group: 'security', minApprovals: 1 },
            { group: 'data-owners', minApprovals: 2 },
          ],
          ttlSeconds: 600,
          denyEndsRequest: true,
        },
      ]),
    ).toEqual({
      steps: [
        { group: 'data-owners', minApprovals: 2 },
        { group: 'security', minApprovals: 1 },
      ],
      ttlSeconds: 600,
      denyEndsRequest: true,
    });
  });
});

describe('CedarPolicyEngine with several matching approval policies', () => {
  let dir: string;
  let engine: CedarPolicyEngine;

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'cedar-strictest-'));
    writeFileSync(join(dir, 'approvals.cedarschema'), readFileSync(join(findDemoPolicyDir(__dirname), 'approvals.cedarschema'), 'utf8'));
    writeFileSync(
      join(dir, 'exports.cedar'),
      `
@id("export-allowed")
permit (principal, action == Action::"db.export", resource);

@id("prod-needs-owner")
@reason("prod exports need a data owner")
@approval("required") @approvers("data-owners") @quorum("1") @ttl("3600") @denyEndsRequest("false")
permit (principal, action == Action::"db.export", resource) when { context.environment == "prod" };

@id("pii-needs-two-owners-and-security")
@reason("pii exports need two data owners and security")
@approval("required") @approvers("data-owners,security") @quorum("2,1") @ttl("900")
permit (principal, action == Action::"db.export", resource)
when { context has dataClassification && context.dataClassification == "pii" };
`,
    );
    engine = new CedarPolicyEngine(loadCedarPolicySet(dir));
  });

  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const exportRequest = (environment: string, dataClassification?: string): ActionRequest => ({
    agentId: 'agent-reporting',
    model: 'm',
    action: 'db.export',
    resource: { kind: 'table', id: 'customers' },
    environment,
    dataClassification,
    parameters: { rows: 10 },
    justification: 'j',
    idempotencyKey: 'k',
  });

  it('combines them into the strictest requirement and lists both as determining', () => {
    const decision = engine.evaluate(exportRequest('prod', 'pii'));

    expect(decision).toEqual({
      outcome: 'REQUIRE_APPROVAL',
      policyVersion: engine.version,
      determiningPolicies: ['pii-needs-two-owners-and-security', 'prod-needs-owner'],
      reasons: ['pii exports need two data owners and security', 'prod exports need a data owner'],
      requirement: {
        steps: [
          { group: 'data-owners', minApprovals: 2 },
          { group: 'security', minApprovals: 1 },
        ],
        ttlSeconds: 900,
        denyEndsRequest: true,
      },
    });
  });

  it('uses a single matching approval policy as is, and the plain permit when none matches', () => {
    expect(engine.evaluate(exportRequest('prod')).requirement).toEqual({
      steps: [{ group: 'data-owners', minApprovals: 1 }],
      ttlSeconds: 3600,
      denyEndsRequest: false,
    });
    expect(engine.evaluate(exportRequest('dev'))).toMatchObject({
      outcome: 'ALLOW',
      determiningPolicies: ['export-allowed'],
      reasons: ['permitted by policy "export-allowed"'],
    });
  });
});

import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadCedarPolicySet, PolicySetLoadError } from './cedar-policy-set';
import { findDemoPolicyDir } from './demo-policy-dir';

const demoDir = findDemoPolicyDir(__dirname);
const schemaText = readFileSync(join(demoDir, 'approvals.cedarschema'), 'utf8');
const temporary: string[] = [];

/** A fresh copy of the demo set, or a directory with the demo schema and the given policy files. */
function policyDir(files?: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'cedar-set-'));
  temporary.push(dir);
  if (files === undefined) {
    cpSync(demoDir, dir, { recursive: true });
  } else {
    writeFileSync(join(dir, 'approvals.cedarschema'), schemaText);
    for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  }
  return dir;
}

function loadError(dir: string): PolicySetLoadError {
  try {
    loadCedarPolicySet(dir);
  } catch (error) {
    if (error instanceof PolicySetLoadError) return error;
    throw error;
  }
  throw new Error(`expected ${dir} to be rejected`);
}

afterAll(() => temporary.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

describe('loadCedarPolicySet', () => {
  it('loads the demo set with readable ids, reasons and approval requirements', () => {
    const set = loadCedarPolicySet(demoDir);

    expect([...set.policies.keys()].sort()).toEqual([
      'export-allowed',
      'export-large-prod-needs-data-owner',
      'iam-escalate-needs-two-security',
      'infra-delete-needs-security',
      'infra-delete-prod-forbidden',
      'mcp-everything-env-forbidden',
      'mcp-everything-sum-needs-approval',
      'mcp-fs-change-without-path-forbidden',
      'mcp-fs-changes-need-a-data-owner',
      'mcp-fs-outside-scratch-forbidden',
      'read-only-actions-allowed',
    ]);
    expect(set.policies.get('export-large-prod-needs-data-owner')).toMatchObject({
      effect: 'permit',
      file: 'data-export.cedar',
      line: 8,
      approval: { steps: [{ group: 'data-owners', minApprovals: 1 }], ttlSeconds: 3600, denyEndsRequest: true },
    });
    expect(set.policies.get('infra-delete-prod-forbidden')).toMatchObject({ effect: 'forbid', approval: undefined });
    expect([...set.actions].filter((a) => !a.startsWith('mcp.')).sort()).toEqual(['db.export', 'db.read', 'db.write', 'iam.escalate', 'infra.apply', 'infra.delete', 'infra.read']);
    // The MCP gateway's tools (docs/mcp.md), and the parameters their policies see.
    expect([...set.actions].filter((a) => a.startsWith('mcp.')).length).toBe(18);
    expect(set.contextParameters.get('mcp.fs.move_file')).toEqual(new Map([['path', 'String'], ['source', 'String'], ['destination', 'String']]));
    expect(set.warnings).toEqual([]);
  });

  it('has a version that is stable across loads and copies', () => {
    const version = loadCedarPolicySet(demoDir).version;

    expect(version).toMatch(/^sha256:[0-9a-f]{16}$/);
    expect(loadCedarPolicySet(demoDir).version).toBe(version);
    expect(loadCedarPolicySet(policyDir()).version).toBe(version);
  });

  it('loads a directory laid out as a Kubernetes ConfigMap volume: symbolic links into a hidden data folder', () => {
    const version = loadCedarPolicySet(demoDir).version;
    const mount = mkdtempSync(join(tmpdir(), 'configmap-'));
    try {
      const data = join(mount, '..2026_12_08_01_00_00.000000001');
      cpSync(demoDir, data, { recursive: true });
      symlinkSync('..2026_12_08_01_00_00.000000001', join(mount, '..data'));
      for (const name of readdirSync(data)) symlinkSync(join('..data', name), join(mount, name));
      symlinkSync(join(mount, 'missing.cedar.target'), join(mount, 'dangling.cedar'));
      expect(loadCedarPolicySet(mount).version).toBe(version);
    } finally {
      rmSync(mount, { recursive: true, force: true });
    }
  });

  it('changes version when a policy changes', () => {
    const dir = policyDir();
    const before = loadCedarPolicySet(dir).version;
    const file = join(dir, 'iam.cedar');
    writeFileSync(file, readFileSync(file, 'utf8').replace('@quorum("2")', '@quorum("3")'));

    expect(loadCedarPolicySet(dir).version).not.toBe(before);
  });

  it('changes version when the schema changes', () => {
    const dir = policyDir();
    const before = loadCedarPolicySet(dir).version;
    writeFileSync(join(dir, 'approvals.cedarschema'), `${schemaText}\n// reviewed\n`);

    expect(loadCedarPolicySet(dir).version).not.toBe(before);
  });

  it('ignores files that are neither schema nor policies', () => {
    const dir = policyDir();
    const before = loadCedarPolicySet(dir).version;
    writeFileSync(join(dir, 'README.md'), 'notes');

    expect(loadCedarPolicySet(dir).version).toBe(before);
  });

  it('rejects a policy that does not parse, naming the file and line', () => {
    const error = loadError(policyDir({ 'ok.cedar': 'permit (principal, action, resource);', 'broken.cedar': '// first\n\npermit (principal, action resource);\n' }));

    expect(error.code).toBe('POLICY_SET_INVALID');
    expect(error.problems).toHaveLength(1);
    expect(error.problems[0]).toMatchObject({ file: 'broken.cedar', line: 3 });
    expect(error.message).toContain('broken.cedar:3: ');
  });

  it('rejects a policy that does not match the schema, naming the file and line', () => {
    const error = loadError(
      policyDir({
        'typo.cedar': [
          '@id("fine") permit (principal, action == Action::"db.read", resource);',
          '',
          '// the attribute is rowCount, not rows',
          '@id("wrong-attribute")',
          'permit (principal, action == Action::"db.export", resource)',
          'when { context.rows > 10 };',
        ].join('\n'),
      }),
    );

    expect(error.problems).toHaveLength(1);
    expect(error.problems[0]).toMatchObject({ file: 'typo.cedar', line: 6 });
    expect(error.message).toMatch(/typo\.cedar:6: .*rows/);
  });

  it('rejects an unknown action with the file name', () => {
    const error = loadError(policyDir({ 'actions.cedar': 'permit (principal, action == Action::"db.dorp", resource);' }));

    expect(error.message).toContain('actions.cedar:1: ');
  });

  it('reports line numbers after non-ASCII text correctly', () => {
    const error = loadError(policyDir({ 'unicode.cedar': '// données sensibles — ñ\n@id("x")\npermit (principal, action, resource) when { context.nope };' }));

    expect(error.problems[0]).toMatchObject({ file: 'unicode.cedar', line: 3 });
  });

  it.each([
    ['@aproval("required")\npermit (principal, action, resource);', 'unknown annotation @aproval'],
    ['@approval("yes")\n@approvers("security")\npermit (principal, action, resource);', '@approval must be "required"'],
    ['@approval("required")\npermit (principal, action, resource);', 'needs @approvers'],
    ['@approvers("security")\npermit (principal, action, resource);', 'only apply to a permit annotated @approval("required")'],
    ['@approval("required")\n@approvers("security")\nforbid (principal, action, resource);', '@approval only applies to permit policies'],
    ['@approval("required")\n@approvers("security")\n@quorum("0")\npermit (principal, action, resource);', '@quorum must be a positive integer'],
    ['@approval("required")\n@approvers("a,b")\n@quorum("1,2,3")\npermit (principal, action, resource);', 'has 3 values for 2 approver groups'],
    ['@approval("required")\n@approvers("security")\n@ttl("1h")\npermit (principal, action, resource);', '@ttl must be a positive whole number of seconds'],
    ['@approval("required")\n@approvers("security")\n@denyEndsRequest("yes")\npermit (principal, action, resource);', '@denyEndsRequest must be "true" or "false"'],
    ['@approval("required")\n@approvers("Security Team")\npermit (principal, action, resource);', 'is not a valid group name'],
    ['@id("has space") permit (principal, action, resource);', '@id("has space") must be'],
  ])('rejects bad annotations: %s', (text, message) => {
    const error = loadError(policyDir({ 'annotated.cedar': `// header\n${text}` }));

    expect(error.problems[0]).toMatchObject({ file: 'annotated.cedar', line: 2 });
    expect(error.message).toContain(message);
  });

  it('rejects duplicate ids across files', () => {
    const error = loadError(
      policyDir({
        'a.cedar': '@id("same") permit (principal, action, resource);',
        'b.cedar': '\n@id("same") forbid (principal, action, resource);',
      }),
    );

    expect(error.message).toContain('b.cedar:2: duplicate policy id "same" (also a.cedar:1)');
  });

  it('names policies without @id after their file and position', () => {
    const set = loadCedarPolicySet(
      policyDir({ 'plain.cedar': Array.from({ length: 12 }, (_, i) => `permit (principal, action, resource) when { context.model == "m${i}" };`).join('\n') }),
    );

    expect(set.policies.get('plain.cedar#1')?.text).toContain('"m0"');
    expect(set.policies.get('plain.cedar#11')).toMatchObject({ line: 11 });
    expect(set.policies.get('plain.cedar#12')?.text).toContain('"m11"');
  });

  it('rejects templates, an empty set, and a missing or broken schema', () => {
    expect(loadError(policyDir({ 't.cedar': 'permit (principal == ?principal, action, resource);' })).message).toContain('t.cedar: static policy set includes a template');
    expect(loadError(policyDir({})).message).toContain('no .cedar policy files');

    const noSchema = policyDir({ 'a.cedar': 'permit (principal, action, resource);' });
    rmSync(join(noSchema, 'approvals.cedarschema'));
    expect(loadError(noSchema).message).toContain('expected exactly one .cedarschema file, found none');

    const badSchema = policyDir({ 'a.cedar': 'permit (principal, action, resource);' });
    writeFileSync(join(badSchema, 'approvals.cedarschema'), `${schemaText}\nentity Broken { size: Lnog };\n`);
    expect(loadError(badSchema).message).toMatch(/approvals\.cedarschema:\d+: .*Lnog/);
  });
});

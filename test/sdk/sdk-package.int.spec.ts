import { execFile, execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { EmbeddedServer, repoRoot } from '@approvals/testing';

jest.setTimeout(120_000);

// @approvals/sdk as a user gets it: `npm pack`ed, unpacked into a project's node_modules with only
// its declared dependencies beside it, then used from CommonJS, from an ES module and from
// TypeScript, against the real service.
describe('the @approvals/sdk package', () => {
  const root = repoRoot();
  let project: string;
  let manifest: { dependencies: Record<string, string>; exports: Record<string, unknown> };
  let server: EmbeddedServer;

  beforeAll(async () => {
    project = mkdtempSync(join(tmpdir(), 'sdk-user-'));
    const tarball = execFileSync(process.execPath, [join(root, 'scripts', 'build-sdk.mjs'), '--pack', project], { cwd: root, encoding: 'utf8' }).trim();
    const installed = join(project, 'node_modules', '@approvals', 'sdk');
    mkdirSync(installed, { recursive: true });
    execFileSync('tar', ['xzf', tarball, '-C', installed, '--strip-components=1']);
    manifest = JSON.parse(readFileSync(join(installed, 'package.json'), 'utf8'));
    // Only what the package declares is installed beside it.
    for (const name of Object.keys(manifest.dependencies)) {
      mkdirSync(join(project, 'node_modules', name, '..'), { recursive: true });
      symlinkSync(join(root, 'node_modules', name), join(project, 'node_modules', name));
    }
    server = await EmbeddedServer.start();
  });
  afterAll(async () => {
    await server?.dispose();
    if (project) rmSync(project, { recursive: true, force: true });
  });

  const agentKey = () =>
    (JSON.parse(readFileSync(join(root, 'policies', 'demo', 'directory.json'), 'utf8')) as { agents: { id: string; apiKey: string }[] }).agents.find(
      (a) => a.id === 'agent-reporting',
    )!.apiKey;

  const runNode = async (args: string[]) => (await promisify(execFile)(process.execPath, args, { cwd: project, timeout: 60_000 })).stdout;

  it('holds its build, its declarations and its protos, and requires nothing it does not declare', () => {
    const files = (dir: string): string[] => readdirSync(join(project, 'node_modules', '@approvals', 'sdk', dir), { recursive: true }).map(String);
    expect(files('dist/cjs')).toContain('index.js');
    expect(files('dist/esm')).toContain('index.mjs');
    expect(files('dist/types')).toContain('index.d.ts');
    expect(files('proto').filter((f) => f.endsWith('.proto')).sort()).toEqual(['approvals/v1/audit.proto', 'approvals/v1/decisions.proto', 'approvals/v1/intake.proto', 'approvals/v1/types.proto']);
    const cjs = join(project, 'node_modules', '@approvals', 'sdk', 'dist', 'cjs');
    const required = new Set<string>();
    for (const file of readdirSync(cjs, { recursive: true }).map(String).filter((f) => f.endsWith('.js'))) {
      for (const [, name] of readFileSync(join(cjs, file), 'utf8').matchAll(/require\("([^".][^"]*)"\)/g)) required.add(name!.startsWith('@') ? name!.split('/').slice(0, 2).join('/') : name!.split('/')[0]!);
    }
    const builtins = [...required].filter((name) => name.startsWith('node:'));
    expect([...required].filter((name) => !builtins.includes(name)).sort()).toEqual(Object.keys(manifest.dependencies).sort());
  });

  it('works from CommonJS and from an ES module against the real service', async () => {
    const script = (load: string) => `${load}
const approvals = new Approvals({ address: ${JSON.stringify(server.grpcAddress)}, apiKey: ${JSON.stringify(agentKey())} });
const request = { model: 'm', action: 'db.read', resource: { kind: 'dataset', id: 'x' }, environment: 'dev', justification: 'package test', parameters: { n: 1 } };
approvals.guard(request, (approved) => approved.parameters.n + 1).then((result) => {
  console.log(JSON.stringify({ outcome: result.outcome, value: result.value }));
  approvals.close();
});`;
    writeFileSync(join(project, 'use.cjs'), script("const { Approvals } = require('@approvals/sdk');"));
    writeFileSync(join(project, 'use.mjs'), script("import { Approvals } from '@approvals/sdk';"));
    for (const file of ['use.cjs', 'use.mjs']) expect(JSON.parse(await runNode([file]))).toEqual({ outcome: 'executed', value: 2 });
  });

  it('type-checks a TypeScript user of it', () => {
    writeFileSync(
      join(project, 'use.ts'),
      `import { Approvals, type GuardOutcome } from '@approvals/sdk';
const approvals = new Approvals({ address: 'localhost:50051', apiKey: 'k' });
export async function main(): Promise<GuardOutcome<number>> {
  return approvals.guard({ model: 'm', action: 'db.read', resource: { kind: 'dataset', id: 'x' }, environment: 'dev', justification: 'j' }, () => 1);
}
// @ts-expect-error guard's run receives the approved action, not a string
approvals.guard({ model: 'm', action: 'db.read', resource: { kind: 'dataset', id: 'x' }, environment: 'dev', justification: 'j' }, (s: string) => s);
`,
    );
    writeFileSync(
      join(project, 'tsconfig.json'),
      JSON.stringify({ compilerOptions: { strict: true, module: 'nodenext', moduleResolution: 'nodenext', target: 'es2022', noEmit: true, skipLibCheck: false, types: ['node'], typeRoots: [join(root, 'node_modules', '@types')] }, files: ['use.ts'] }),
    );
    mkdirSync(join(project, 'node_modules', '@types'), { recursive: true });
    symlinkSync(join(root, 'node_modules', '@types', 'node'), join(project, 'node_modules', '@types', 'node'));
    execFileSync(process.execPath, [join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', project], { cwd: project, encoding: 'utf8' });
  });
});

import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { EmbeddedServer, repoRoot } from '@approvals/testing';
import type { SdkManifest } from './packed-sdk';
import { demoKey, installPackedSdk } from './packed-sdk';

jest.setTimeout(120_000);

// @approvals/sdk as a user gets it: `npm pack`ed, unpacked into a project's node_modules with only
// its declared dependencies beside it, then used from CommonJS, from an ES module and from
// TypeScript, against the real service.
describe('the @approvals/sdk package', () => {
  const root = repoRoot();
  let project: string;
  let manifest: SdkManifest;
  let runNode: (args: string[]) => Promise<string>;
  let dispose: () => void;
  let server: EmbeddedServer;

  beforeAll(async () => {
    ({ project, manifest, runNode, dispose } = installPackedSdk());
    server = await EmbeddedServer.start();
  });
  afterAll(async () => {
    await server?.dispose();
    dispose?.();
  });

  const agentKey = () => demoKey('agent-reporting');
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
    const packages = [...required].filter((name) => !name.startsWith('node:'));
    // Every dependency is used; anything else it loads is a framework an adapter plugs into (an optional peer).
    expect(packages.filter((name) => name in manifest.dependencies).sort()).toEqual(Object.keys(manifest.dependencies).sort());
    expect(packages.filter((name) => !(name in manifest.dependencies) && !(name in manifest.peerDependencies))).toEqual([]);
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

// Builds @approvals/sdk as a package to publish, in libs/sdk: CommonJS (dist/cjs), ES module
// wrappers over it (dist/esm, one module instance whichever way it is loaded), declarations
// (dist/types) and the protos it loads at run time (proto/). `--pack` then runs `npm pack` and
// prints the tarball's path. Used by `npm run sdk:pack` and by the packaging test.
import { transformFile } from '@swc/core';
import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const sdk = join(root, 'libs', 'sdk');
const dist = join(sdk, 'dist');
const manifest = JSON.parse(readFileSync(join(sdk, 'package.json'), 'utf8'));
const started = Date.now();

const sources = readdirSync(join(sdk, 'src'), { recursive: true, withFileTypes: true })
  .filter((e) => e.isFile() && e.name.endsWith('.ts') && !e.name.endsWith('.spec.ts'))
  .map((e) => join(e.parentPath, e.name))
  .filter((file) => !relative(join(sdk, 'src'), file).startsWith('spec'));

rmSync(dist, { recursive: true, force: true });
for (const file of sources) {
  const target = join(dist, 'cjs', relative(join(sdk, 'src'), file)).replace(/\.ts$/, '.js');
  const { code } = await transformFile(file, {
    jsc: { target: 'es2022', parser: { syntax: 'typescript' }, keepClassNames: true },
    module: { type: 'commonjs' },
    sourceMaps: false,
  });
  mkdirSync(dirname(target), { recursive: true });
  writeFileSync(target, code);
}
writeFileSync(join(dist, 'cjs', 'package.json'), '{ "type": "commonjs" }\n');

execFileSync(process.execPath, [join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', join(sdk, 'tsconfig.build.json')], { stdio: 'inherit' });

// One ES module per export, re-exporting the CommonJS build's names (Node's "wrapper" pattern).
const require = createRequire(import.meta.url);
for (const [subpath, conditions] of Object.entries(manifest.exports)) {
  if (typeof conditions !== 'object') continue;
  const cjsFile = join(sdk, conditions.require);
  const names = Object.keys(require(cjsFile)).filter((name) => name !== 'default' && name !== '__esModule');
  const esmFile = join(sdk, conditions.import);
  mkdirSync(dirname(esmFile), { recursive: true });
  const from = relative(dirname(esmFile), cjsFile);
  writeFileSync(esmFile, `import cjs from '${from}';\nexport const { ${names.join(', ')} } = cjs;\n`);
  process.stderr.write(`[sdk] ${subpath}: ${names.length} exports\n`);
}

rmSync(join(sdk, 'proto'), { recursive: true, force: true });
cpSync(join(root, 'proto'), join(sdk, 'proto'), { recursive: true });
process.stderr.write(`[sdk] built libs/sdk/dist in ${Date.now() - started} ms\n`);

if (process.argv.includes('--pack')) {
  const out = process.argv[process.argv.indexOf('--pack') + 1] ?? join(root, 'dist', 'packages');
  mkdirSync(out, { recursive: true });
  const [packed] = JSON.parse(execFileSync('npm', ['pack', '--json', '--pack-destination', out], { cwd: sdk, encoding: 'utf8' }));
  process.stdout.write(`${join(out, packed.filename)}\n`);
}

// Compiles every TypeScript source (apps, libs, bench) to CommonJS under dist/, keeping the
// repository's layout and rewriting the @approvals/* path aliases to relative requires.
// swc does this in about a second; type checking is `npm run typecheck` (tsc --noEmit).
import { transformFile } from '@swc/core';
import { mkdir, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { createHash } from 'node:crypto';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const out = join(root, 'dist');
const sourceDirs = ['apps', 'libs', 'bench'];

async function* walk(dir) {
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch {
    return;
  }
  for (const entry of entries) {
    const full = join(dir, entry.name);
    if (entry.isDirectory()) {
      if (entry.name !== 'node_modules' && entry.name !== 'results') yield* walk(full);
    } else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.spec.ts') && !entry.name.endsWith('.d.ts')) {
      yield full;
    }
  }
}

// Path aliases come from tsconfig.base.json, the one place they are declared.
const { paths } = JSON.parse(await readFile(join(root, 'tsconfig.base.json'), 'utf8')).compilerOptions;
const options = {
  jsc: {
    target: 'es2023',
    parser: { syntax: 'typescript', decorators: true },
    transform: { legacyDecorator: true, decoratorMetadata: true },
    baseUrl: root,
    paths,
    keepClassNames: true,
  },
  module: { type: 'commonjs' },
  sourceMaps: true,
};

const started = Date.now();
const sources = [];
for (const dir of sourceDirs) for await (const file of walk(join(root, dir))) sources.push(file);

// Skip the build when no source changed: `npm run approvals` must not pull dist/ from under a
// server started with `npm start`.
const signature = createHash('sha256');
for (const file of [...sources, join(root, 'tsconfig.base.json'), join(root, 'scripts', 'build.mjs')].sort()) {
  const info = await stat(file);
  signature.update(`${file}\0${info.size}\0${info.mtimeMs}\n`);
}
const want = signature.digest('hex');
const stampFile = join(out, '.build-signature');
const have = await readFile(stampFile, 'utf8').catch(() => '');
if (have === want && !process.argv.includes('--force')) {
  process.stderr.write(`[approvals] dist/ is up to date (${sources.length} sources)\n`);
  process.exit(0);
}

await rm(out, { recursive: true, force: true });
let count = 0;
const jobs = [];
for (const file of sources) {
  jobs.push(
    (async () => {
      const target = join(out, relative(root, file)).replace(/\.ts$/, '.js');
      const { code, map } = await transformFile(file, { ...options, filename: file, sourceFileName: relative(dirname(target), file) });
      await mkdir(dirname(target), { recursive: true });
      await writeFile(target, `${code}\n//# sourceMappingURL=${target.split('/').pop()}.map\n`);
      if (map) await writeFile(`${target}.map`, map);
      count += 1;
    })(),
  );
}
await Promise.all(jobs);
await writeFile(stampFile, want);
process.stderr.write(`[approvals] compiled ${count} files to dist/ in ${Date.now() - started} ms\n`);

import { execFile, execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { repoRoot } from '@approvals/testing';

export interface SdkManifest {
  dependencies: Record<string, string>;
  peerDependencies: Record<string, string>;
  exports: Record<string, unknown>;
}

/**
 * A user's project with @approvals/sdk installed from its packed tarball, and beside it only its
 * declared dependencies and the `extra` packages the project itself uses (linked from this
 * repository's node_modules: nothing is downloaded).
 */
export function installPackedSdk(extra: readonly string[] = []): { project: string; manifest: SdkManifest; runNode: (args: string[], env?: Record<string, string>) => Promise<string>; dispose: () => void } {
  const root = repoRoot();
  const project = mkdtempSync(join(tmpdir(), 'sdk-user-'));
  const tarball = execFileSync(process.execPath, [join(root, 'scripts', 'build-sdk.mjs'), '--pack', project], { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  const installed = join(project, 'node_modules', '@approvals', 'sdk');
  mkdirSync(installed, { recursive: true });
  execFileSync('tar', ['xzf', tarball, '-C', installed, '--strip-components=1']);
  const manifest = JSON.parse(readFileSync(join(installed, 'package.json'), 'utf8')) as SdkManifest;
  for (const name of new Set([...Object.keys(manifest.dependencies), ...extra])) {
    mkdirSync(join(project, 'node_modules', name, '..'), { recursive: true });
    symlinkSync(join(root, 'node_modules', name), join(project, 'node_modules', name));
  }
  return {
    project,
    manifest,
    runNode: async (args, env = {}) =>
      (await promisify(execFile)(process.execPath, args, { cwd: project, timeout: 60_000, env: { ...process.env, OPENAI_AGENTS_DISABLE_TRACING: '1', ...env } })).stdout,
    dispose: () => rmSync(project, { recursive: true, force: true }),
  };
}

export { demoKey } from '@approvals/testing';

import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { EmbeddedServer, freePort, repoRoot } from '@approvals/testing';

jest.setTimeout(60_000);

// No container engine runs on these machines, so the image is checked as text (what a linter
// would insist on) and its entry point is run here, on the same compiled code the image copies.
describe('the container image', () => {
  const dockerfile = readFileSync(join(repoRoot(), 'Dockerfile'), 'utf8');
  const stages = dockerfile.split(/^FROM /m).slice(1);
  const runtime = stages.at(-1)!;
  const instructions = (stage: string, name: string) => stage.split('\n').filter((line) => line.startsWith(`${name} `));

  it('is built in stages, and the runtime stage is Node 24 slim with only what it runs', () => {
    expect(stages.length).toBeGreaterThanOrEqual(2);
    expect(runtime).toMatch(/^node:\$\{NODE_VERSION\}-bookworm-slim AS runtime/);
    expect(dockerfile).toMatch(/^ARG NODE_VERSION=24\.\d+\.\d+$/m);
    // No build step in the final image: it only copies what the build stage made.
    expect(instructions(runtime, 'RUN').join('\n')).not.toMatch(/npm (ci|install)|scripts\/build|tsc|swc/);
    expect(instructions(runtime, 'COPY').every((line) => line.includes('--from=build') || line.includes('deploy/container/entrypoint.mjs'))).toBe(true);
    expect(runtime).toContain('rm -rf /usr/local/lib/node_modules/npm');
  });

  it('runs as an unprivileged user, with a health check, OCI labels and a data volume', () => {
    expect(instructions(runtime, 'USER')).toEqual(['USER node']);
    expect(runtime).toMatch(/^HEALTHCHECK .*\\\n\s+CMD \["node", "\/app\/deploy\/container\/entrypoint\.mjs", "healthcheck"\]/m);
    for (const label of ['title', 'description', 'licenses', 'version', 'revision', 'source']) expect(runtime).toContain(`org.opencontainers.image.${label}=`);
    expect(runtime).toContain('VOLUME ["/data"]');
    expect(runtime).toContain('ENTRYPOINT ["node", "--enable-source-maps", "/app/deploy/container/entrypoint.mjs"]');
  });

  it('keeps local state, secrets and build output out of the build context', () => {
    const ignored = readFileSync(join(repoRoot(), '.dockerignore'), 'utf8').split('\n');
    for (const entry of ['.git', '**/node_modules', 'dist', '.data', '**/.env', '**/*.pem']) expect(ignored).toContain(entry);
  });

  describe('its entry point', () => {
    const entry = join(repoRoot(), 'deploy', 'container', 'entrypoint.mjs');
    const run = (args: string[], env: Record<string, string> = {}) =>
      promisify(execFile)(process.execPath, [entry, ...args], { env: { ...process.env, ...env }, timeout: 30_000 }).then(
        ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
        (error: { code: number; stdout: string; stderr: string }) => ({ code: error.code, stdout: error.stdout, stderr: error.stderr }),
      );

    it('refuses an unknown command and lists the ones it knows', async () => {
      const refused = await run(['nonsense']);
      expect(refused.code).toBe(2);
      expect(refused.stderr).toContain('unknown command "nonsense": use embedded, intake, policy-evaluator, decision, notifier, audit-projector, cli, mcp-gateway or healthcheck');
    });

    it('runs the CLI and the MCP gateway by name', async () => {
      expect((await run(['cli', '--help'])).stdout).toMatch(/approvals/i);
      expect((await run(['mcp-gateway', '--help'])).stdout).toContain('approvals MCP gateway');
    });

    it('health-checks the server in its container: healthy when /readyz answers, unhealthy when nothing does', async () => {
      const server = await EmbeddedServer.start();
      try {
        const port = new URL(server.httpUrl).port;
        expect((await run(['healthcheck'], { APPROVALS_HTTP_PORT: port })).code).toBe(0);
      } finally {
        await server.dispose();
      }
      expect((await run(['healthcheck'], { APPROVALS_HTTP_PORT: String(await freePort()) })).code).toBe(1);
    });
  });
});

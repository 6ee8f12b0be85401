import { spawn } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { exportJWK, generateKeyPair } from 'jose';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EmbeddedServer, repoRoot } from '@approvals/testing';

jest.setTimeout(60_000);

// Start-up with bad settings: the server must refuse to start and say exactly what is wrong.
describe('embedded mode: start-up', () => {
  const dirs: string[] = [];
  afterAll(() => dirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

  it('refuses a bad setting and names it', async () => {
    await expect(EmbeddedServer.start({ env: { APPROVALS_GRPC_PORT: 'not-a-port', APPROVALS_SQLITE_CHECKPOINT_MS: '-5' } })).rejects.toThrow(
      /APPROVALS_GRPC_PORT="not-a-port": must be a number[\s\S]*APPROVALS_SQLITE_CHECKPOINT_MS="-5": must be positive/,
    );
  });

  it('refuses a bad OpenTelemetry setting and names it', async () => {
    await expect(EmbeddedServer.start({ env: { OTEL_TRACES_EXPORTER: 'jaegr' } })).rejects.toThrow(/OTEL_TRACES_EXPORTER: unknown value "jaegr"; use otlp, console, zipkin, none/);
  });

  it('refuses an invalid policy file and names the file and line', async () => {
    const policyDir = mkdtempSync(join(tmpdir(), 'approvals-bad-policies-'));
    dirs.push(policyDir);
    cpSync(join(repoRoot(), 'policies', 'demo'), policyDir, { recursive: true });
    writeFileSync(join(policyDir, 'broken.cedar'), '// a typo on line 2\npermit (principal, action == Action::"db.read", resource) when { context.nope == };\n');
    await expect(EmbeddedServer.start({ env: { APPROVALS_POLICY_DIR: policyDir } })).rejects.toThrow(/broken\.cedar:2/);
  });

  it('starts, and a graceful stop exits with code 0', async () => {
    const server = await EmbeddedServer.start();
    try {
      expect(await server.stop()).toBe(0);
      expect(server.logs).toContain('"msg":"stopped"');
    } finally {
      await server.dispose();
    }
  });

  it('stops with code 0 even when the trace collector is down (buffered spans are given up after 3 s)', async () => {
    // Port 9 (discard) on loopback: nothing listens, and the exporter retries for many seconds if the
    // flush waited for it (about 14 s measured without the deadline).
    const server = await EmbeddedServer.start({
      env: { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:9', OTEL_EXPORTER_OTLP_TIMEOUT: '30000', OTEL_BSP_SCHEDULE_DELAY: '60000' },
    });
    try {
      const started = Date.now();
      expect(await server.stop()).toBe(0);
      expect(Date.now() - started).toBeLessThan(10_000);
      expect(server.logs).toContain('"msg":"stopped"');
    } finally {
      await server.dispose();
    }
  });
});

// Replicas of the decision service must agree on their signing keys (issue 19): each reads the
// operator's key files, never a key generated on its own disk.
describe('distributed mode: start-up of the decision service', () => {
  const run = (env: Record<string, string>) => startService('decision', env);

  it('refuses to start with signing keys of its own, naming the settings, and writes no key', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'approvals-decision-keys-'));
    try {
      const refused = await run({ APPROVALS_DATA_DIR: dataDir });
      expect(refused.code).toBe(2);
      expect(refused.stderr).toContain('in distributed mode every replica must sign with the same keys');
      expect(refused.stderr).toContain('APPROVALS_GRANT_KEYS_FILE (create it: npm run approvals -- grant-keys rotate --file <file>)');
      expect(refused.stderr).toContain('APPROVALS_CHECKPOINT_KEYS_FILE');
      expect(existsSync(join(dataDir, 'keys'))).toBe(false);

      // With the grant keys provided, only the checkpoint keys are still missing.
      const grantKeys = join(dataDir, 'grant-keys.json');
      writeFileSync(grantKeys, JSON.stringify({ keys: [{ ...(await generateEd25519Jwk()), kid: 'g1' }] }), { mode: 0o600 });
      const partly = await run({ APPROVALS_DATA_DIR: dataDir, APPROVALS_GRANT_KEYS_FILE: grantKeys });
      expect(partly.code).toBe(2);
      expect(partly.stderr).not.toContain('APPROVALS_GRANT_KEYS_FILE');
      expect(partly.stderr).toContain('APPROVALS_CHECKPOINT_KEYS_FILE');
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});

// Replicas of the notifier must agree on the console's session secret (issue 19).
describe('distributed mode: start-up of the notifier', () => {
  it('refuses to start without the shared console session secret, naming the setting', async () => {
    const refused = await startService('notifier', {}, ['APPROVALS_CONSOLE_SECRET']);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('every replica must sign console sessions with the same secret');
    expect(refused.stderr).toContain('Set APPROVALS_CONSOLE_SECRET');
  });
});

/** A distributed service started with `env` (and without the settings `unset`), until it exits (at most 30 s). */
function startService(service: string, env: Record<string, string>, unset: string[] = []): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve) => {
    const inherited = Object.fromEntries(Object.entries(process.env).filter(([name]) => !unset.includes(name)));
    const child = spawn(process.execPath, [join(repoRoot(), 'dist', 'apps', 'host', 'src', 'service-main.js'), service], {
      env: { ...inherited, APPROVALS_KAFKA_BROKERS: '127.0.0.1:1', ...env },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stderr });
    });
  });
}

async function generateEd25519Jwk() {
  const { privateKey } = await generateKeyPair('EdDSA', { crv: 'Ed25519', extractable: true });
  return { ...(await exportJWK(privateKey)), alg: 'EdDSA' };
}

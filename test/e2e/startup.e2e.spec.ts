import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
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
});

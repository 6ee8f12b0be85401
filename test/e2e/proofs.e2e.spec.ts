import { spawnSync } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { unary } from '@approvals/client';
import type { TestSystem } from '@approvals/testing';
import { repoRoot, startSystem } from '@approvals/testing';
import { verifierKeyText } from '@approvals/application';
import { actionRequest, awaitOutcome, clientAs, eventually } from './support';

jest.setTimeout(120_000);

/** The real CLI, built by `npm test`, as an auditor runs it. */
function approvals(...args: string[]): { code: number | null; out: string; err: string } {
  const result = spawnSync(process.execPath, [join('dist', 'apps', 'cli', 'src', 'main.js'), ...args], { cwd: repoRoot(), encoding: 'utf8', timeout: 60_000 });
  return { code: result.status, out: result.stdout, err: result.stderr };
}

// I8 for auditors: an action's events are proven to be in the ledger's Merkle tree against a signed
// checkpoint, the proof is checked with no server, and a changed proof is refused.
describe('inclusion proofs, end to end (embedded mode)', () => {
  let system: TestSystem;
  let dir: string;

  beforeAll(async () => {
    system = await startSystem('embedded', { env: { APPROVALS_CHECKPOINT_INTERVAL_MS: '300' } });
    dir = mkdtempSync(join(tmpdir(), 'approvals-proofs-'));
  });

  afterAll(async () => {
    await system?.dispose();
    rmSync(dir, { recursive: true, force: true });
  });

  it("proves an action's events offline with the published key, and refuses a changed proof", async () => {
    const agent = clientAs(system.addresses, 'agent-reporting');
    const alice = clientAs(system.addresses, 'alice');
    const created = await unary(agent.intake, 'RequestAction', actionRequest({ action: 'db.read' }));
    await awaitOutcome(agent, created.actionId);
    await eventually(
      () => unary(alice.audit, 'GetInclusionProof', { actionId: created.actionId }).catch(() => undefined),
      (proof) => proof !== undefined && proof.events >= 4 && proof.notYetCheckpointed === 0,
    );
    agent.close();
    alice.close();

    const file = join(dir, 'proof.json');
    const fetched = approvals('audit', 'proof', created.actionId, '--as', 'alice', '--out', file, '--address', system.addresses.audit);
    expect(fetched).toMatchObject({ code: 0, out: expect.stringContaining(`of action ${created.actionId}`) });

    const published = (await (await fetch(`${system.decisionHttpUrl}/.well-known/ledger-checkpoint-keys`)).json()) as { origin: string; keys: string[] };
    expect(published.origin).toBe('approvals.local/ledger');
    const key = published.keys.at(-1)!;
    const verified = approvals('audit', 'verify-proof', file, '--key', key);
    expect(verified).toMatchObject({ code: 0, out: expect.stringMatching(/^proof verified: \d+ events are in the tree of \d+ events of approvals\.local\/ledger, root [0-9a-f]{64}/) });

    const proof = JSON.parse(readFileSync(file, 'utf8')) as { events: { data: Record<string, unknown>; auditPath: string[] }[] };
    const changed = structuredClone(proof);
    changed.events[0]!.data['justification'] = 'something else';
    writeFileSync(join(dir, 'changed.json'), JSON.stringify(changed));
    expect(approvals('audit', 'verify-proof', join(dir, 'changed.json'), '--key', key)).toMatchObject({ code: 1, out: expect.stringContaining('its content hashes to') });

    const badPath = structuredClone(proof);
    badPath.events[1]!.auditPath[0] = Buffer.alloc(32, 7).toString('base64');
    writeFileSync(join(dir, 'bad-path.json'), JSON.stringify(badPath));
    expect(approvals('audit', 'verify-proof', join(dir, 'bad-path.json'), '--key', key)).toMatchObject({ code: 1, out: expect.stringContaining("does not lead to the checkpoint's root") });

    const stranger = verifierKeyText('approvals.local/ledger', generateKeyPairSync('ed25519').publicKey);
    expect(approvals('audit', 'verify-proof', file, '--key', stranger)).toMatchObject({ code: 1, out: expect.stringContaining('no signature by a known key') });

    // The whole ledger, read directly while the server runs.
    const whole = approvals('audit', 'verify', '--ledger', join(system.dataDir, 'ledger.sqlite'));
    expect(whole).toMatchObject({ code: 0, out: expect.stringContaining('no inconsistency found') });
  });
});

import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { POLICY_HISTORY_STREAM } from '@approvals/application';
import { openLedger } from '@approvals/platform';
import { EmbeddedServer, repoRoot } from '@approvals/testing';
import { unary } from '@approvals/platform';
import { actionRequest, awaitOutcome, clientAs, eventually } from './support';

jest.setTimeout(120_000);

// Issue 5, policy versions: a running server picks up a changed policy set by itself, validated
// first (an invalid one never replaces the running set), and the ledger records each activation.
describe('policy set changes while the server runs', () => {
  let policies: string;
  let server: EmbeddedServer;
  beforeAll(async () => {
    policies = mkdtempSync(join(tmpdir(), 'approvals-policies-reload-'));
    cpSync(join(repoRoot(), 'policies', 'demo'), policies, { recursive: true });
    server = await EmbeddedServer.start({ env: { APPROVALS_POLICY_DIR: policies, APPROVALS_DIRECTORY_FILE: join(policies, 'directory.json') } });
  });
  afterAll(async () => {
    await server?.dispose();
    rmSync(policies, { recursive: true, force: true });
  });

  it('activates a valid new version, keeps it when the next one is broken, and records the history', async () => {
    const agent = clientAs(server.grpcAddress, 'agent-reporting');
    const outcomeOfRead = async () => {
      const created = await unary(agent.intake, 'RequestAction', actionRequest({ action: 'db.read' }));
      return (await awaitOutcome(agent, created.actionId)).action!;
    };
    const versions: string[] = [];
    try {
      // given reads are allowed by the shipped policies
      const before = await outcomeOfRead();
      expect(before.status).toBe('APPROVED');

      // when a policy forbidding prod reads is added, the next requests are denied by it, under a new version
      writeFileSync(
        join(policies, 'freeze.cedar'),
        '@id("prod-read-freeze")\n@reason("prod reads are frozen for the audit")\nforbid (principal, action == Action::"db.read", resource)\nwhen { context.environment == "prod" };\n',
      );
      const frozen = await eventually(outcomeOfRead, (action) => action.status === 'DENIED', 20_000);
      expect(frozen.evaluation).toMatchObject({ outcome: 'DENY', determiningPolicies: ['prod-read-freeze'], reasons: ['prod reads are frozen for the audit'] });
      expect(frozen.evaluation!.policyVersion).not.toBe(before.evaluation!.policyVersion);
      versions.push(before.evaluation!.policyVersion, frozen.evaluation!.policyVersion);

      // when a broken policy file arrives, the running version goes on deciding and the log says why
      writeFileSync(join(policies, 'broken.cedar'), '@id("broken")\npermit (principal is Agent, action == Action::"db.nope", resource);\n');
      await eventually(
        async () => server.logs,
        (logs) => logs.includes('new policy set rejected'),
        20_000,
      );
      expect(server.logs).toMatch(/broken\.cedar:2: .*db\.nope/);
      const still = await outcomeOfRead();
      expect(still).toMatchObject({ status: 'DENIED', evaluation: { policyVersion: frozen.evaluation!.policyVersion } });
    } finally {
      agent.close();
    }

    // then the ledger holds the activations: the start version, then the freeze, and not the broken set
    await server.stop();
    const ledger = await openLedger({ store: 'embedded', file: join(server.dataDir, 'ledger.sqlite') });
    try {
      const history = (await ledger.events.readStream(POLICY_HISTORY_STREAM)).map((event) => event.data as { fromVersion: string | null; toVersion: string; trigger: string });
      expect(history).toEqual([
        expect.objectContaining({ fromVersion: null, toVersion: versions[0], trigger: 'start' }),
        expect.objectContaining({ fromVersion: versions[0], toVersion: versions[1], trigger: 'file-change' }),
      ]);
    } finally {
      await ledger.close();
    }
  });
});

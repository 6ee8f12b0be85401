import { execFile } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { POLICY_HISTORY_STREAM } from '@approvals/application';
import { openLedger } from '@approvals/ledger';
import { policySetVersion } from '@approvals/policy-cedar';
import { EmbeddedServer, repoRoot } from '@approvals/testing';
import { unary } from '@approvals/client';
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
      const history = (await ledger.events.readStream(POLICY_HISTORY_STREAM)).map(
        (event) => event.data as { fromVersion: string | null; toVersion: string; trigger: string; files: { name: string; text: string }[] },
      );
      expect(history).toEqual([
        expect.objectContaining({ fromVersion: null, toVersion: versions[0], trigger: 'start' }),
        expect.objectContaining({ fromVersion: versions[0], toVersion: versions[1], trigger: 'file-change' }),
      ]);
      // and each activation carries its files: the ledger alone reproduces every version that decided
      for (const activation of history) {
        const [schema, ...files] = activation.files;
        expect(policySetVersion(schema!, files)).toBe(activation.toVersion);
      }
      expect(history[1]!.files.find((file) => file.name === 'freeze.cedar')?.text).toContain('@id("prod-read-freeze")');
      expect(history[1]!.files.map((file) => file.name)).not.toContain('broken.cedar');
    } finally {
      await ledger.close();
    }
  });
});

describe('approvals policy explain', () => {
  let server: EmbeddedServer;
  let other: string;
  beforeAll(async () => {
    server = await EmbeddedServer.start();
    other = mkdtempSync(join(tmpdir(), 'approvals-policies-other-'));
    cpSync(join(repoRoot(), 'policies', 'demo'), other, { recursive: true });
    writeFileSync(join(other, 'extra.cedar'), '@id("extra")\nforbid (principal, action == Action::"db.write", resource);\n');
  });
  afterAll(async () => {
    await server?.dispose();
    rmSync(other, { recursive: true, force: true });
  });

  const cli = (...args: string[]) =>
    new Promise<{ code: number; out: string; err: string }>((resolve) => {
      execFile(process.execPath, [join(repoRoot(), 'dist', 'apps', 'cli', 'src', 'main.js'), ...args, '--address', server.grpcAddress], (error, out, err) =>
        resolve({ code: error ? Number((error as { code?: number }).code ?? 1) : 0, out, err }),
      );
    });

  it('evaluates the recorded request again with the recorded version and finds the same outcome', async () => {
    const agent = clientAs(server.grpcAddress, 'agent-reporting');
    let actionId: string;
    try {
      actionId = (await unary(agent.intake, 'RequestAction', actionRequest({ action: 'db.export', parametersJson: '{"rows":5000}' }))).actionId;
      await eventually(
        () => awaitOutcome(agent, actionId, 500),
        (r) => r.action?.status === 'AWAITING_APPROVAL',
        20_000,
      );
    } finally {
      agent.close();
    }
    // (the audit read model follows the ledger: wait until it has the evaluation)
    const explained = await eventually(
      () => cli('policy', 'explain', actionId, '--as', 'alice'),
      (r) => r.code === 0,
      20_000,
    );
    expect(explained.out).toContain(`action ${actionId}: agent-reporting asked for db.export on dataset "customers" in prod`);
    expect(explained.out).toMatch(/recorded at revision 1: REQUIRE_APPROVAL by export-large-prod-needs-data-owner \(policy set sha256:[0-9a-f]{16}\)/);
    expect(explained.out).toContain('  requirement: 1 of data-owners, 3600 s to decide');
    expect(explained.out).toMatch(/evaluated again with the ledger's copy of sha256:[0-9a-f]{16}: REQUIRE_APPROVAL by export-large-prod-needs-data-owner/);
    expect(explained.out).toContain('the same outcome, policies and requirement');

    // the recorded version comes from the ledger, whatever policies the caller has at hand
    const elsewhere = await cli('policy', 'explain', actionId, '--as', 'alice', '--policies', other);
    expect(elsewhere.code).toBe(0);
    expect(elsewhere.out).toContain('the same outcome, policies and requirement');

    // and the history the auditors see lists the activation the server started with
    const history = await cli('policy', 'history', '--as', 'alice', '--json');
    expect(history.code).toBe(0);
    const activations = history.out.trim().split('\n').map((line) => JSON.parse(line) as { trigger: string; fromVersion: string; toVersion: string; files: unknown[] });
    expect(activations).toEqual([expect.objectContaining({ trigger: 'start', fromVersion: '', toVersion: expect.stringMatching(/^sha256:/), files: [] })]);
  });
});

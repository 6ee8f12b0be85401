import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateKeyPair } from 'jose';
import type { ApprovalsClient } from '@approvals/client';
import { unary } from '@approvals/client';
import type { TestSystem } from '@approvals/testing';
import { TeamsDouble, checkCard, modes, startSystem } from '@approvals/testing';
import { actionRequest, awaitOutcome, clientAs, eventually, ledgerPosition, settledLedgerPosition } from './support';

jest.setTimeout(60_000);

const conversationId = '19:security@thread.tacv2';
const carol = '6c1f2d3e-0000-4000-8000-00000000ca01';
const dave = '6c1f2d3e-0000-4000-8000-00000000da01';
const erin = '6c1f2d3e-0000-4000-8000-00000000e401';

// Approvers in Microsoft Teams, in both modes: the demo escalation policy goes to teams:security;
// a local double stands in for Bot Framework (OpenID metadata and keys, token endpoint, Bot
// Connector) and signs the card actions a test sends exactly as Bot Framework does.
describe.each(modes)('%s mode: Microsoft Teams', (mode) => {
  let teams: TeamsDouble;
  let dir: string;
  let server: TestSystem;
  let ops: ApprovalsClient;

  beforeAll(async () => {
    teams = await new TeamsDouble().start();
    dir = mkdtempSync(join(tmpdir(), 'approvals-teams-'));
    writeFileSync(join(dir, 'conversations.json'), JSON.stringify({ conversations: [{ name: 'security', serviceUrl: teams.serviceUrl, conversationId }] }));
    server = await startSystem(mode, {
      env: {
        APPROVALS_TEAMS_APP_ID: teams.appId,
        APPROVALS_TEAMS_APP_PASSWORD: teams.appPassword,
        APPROVALS_TEAMS_CONVERSATIONS_FILE: join(dir, 'conversations.json'),
        APPROVALS_TEAMS_OPENID_METADATA_URL: teams.openIdMetadataUrl,
        APPROVALS_TEAMS_TOKEN_URL: teams.tokenUrl,
        APPROVALS_TEAMS_WORKFLOW_URL: teams.workflowUrl,
      },
    });
    ops = clientAs(server.addresses, 'agent-ops');
  });

  afterAll(async () => {
    ops?.close();
    await server?.dispose();
    await teams?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  const send = async (invoke: Promise<{ headers: Record<string, string>; body: string }>) => {
    const { headers, body } = await invoke;
    return fetch(`${server.notifierHttpUrl}/teams/messages`, { method: 'POST', headers, body });
  };
  const cardOf = (record: { activity: Record<string, unknown> }) =>
    (record.activity['attachments'] as { content: Record<string, unknown> }[])[0]!.content;

  async function escalation() {
    const created = await unary(ops.intake, 'RequestAction', actionRequest({ action: 'iam.escalate', resource: { kind: 'role', id: `r-${Date.now()}` } }));
    await awaitOutcome(ops, created.actionId, 200);
    const record = await eventually(async () => teams.activities.find((a) => JSON.stringify(a.activity).includes(created.actionId)), (a) => a !== undefined);
    return { actionId: created.actionId, record: record! };
  }

  it('posts an Adaptive Card with Action.Execute; two security approvers in Teams approve; the card refreshes to the outcome', async () => {
    const { actionId, record } = await escalation();
    expect(record.conversationId).toBe(conversationId);
    const card = cardOf(record);
    expect(checkCard(card)).toBeUndefined();
    expect(JSON.stringify(card)).toContain('agent-ops');
    expect((card['actions'] as { verb: string; data: { actionId: string } }[]).map((a) => [a.verb, a.data.actionId])).toEqual([
      ['approve', actionId],
      ['deny', actionId],
    ]);

    const first = await send(teams.invoke(carol, 'approve', { actionId }));
    expect(first.status).toBe(200);
    const answer = (await first.json()) as { statusCode: number; type: string; value: Record<string, unknown> };
    expect(answer).toMatchObject({ statusCode: 200, type: 'application/vnd.microsoft.card.adaptive' });
    expect(checkCard(answer.value)).toBeUndefined();
    expect(JSON.stringify(answer.value)).toContain('Your vote was recorded');

    expect((await send(teams.invoke(erin, 'approve', { actionId }))).status).toBe(200);
    expect((await awaitOutcome(ops, actionId)).action).toMatchObject({ status: 'APPROVED', approval: { votes: [{ channel: 'teams' }, { channel: 'teams' }] } });
    const refreshed = await eventually(async () => record.versions.at(-1)!, (version) => JSON.stringify(version).includes('Approved by carol, erin'));
    expect(((refreshed['attachments'] as { content: { actions: unknown[] } }[])[0]!.content.actions)).toEqual([]);
    // The notify-only workflow got the request and its outcome, as cards without buttons.
    const posts = await eventually(async () => teams.workflowPosts.filter((post) => JSON.stringify(post).includes(actionId)), (p) => p.length >= 2);
    expect(JSON.stringify(posts.at(-1))).toContain('Approved by carol, erin');
    expect(teams.violations).toEqual([]);
  });

  it('refuses activities that are not authenticated as Bot Framework requires, and records each', async () => {
    const { actionId } = await escalation();
    // Settled: the other channels' deliveries of the request are recorded too, so the count is exact.
    const before = await settledLedgerPosition(server.decisionHttpUrl);
    const statuses = [
      await send(teams.invoke(carol, 'approve', { actionId }, { audience: 'another-bot' })),
      await send(teams.invoke(carol, 'approve', { actionId }, { serviceUrlClaim: 'https://evil.example/' })),
      await send(teams.invoke(carol, 'approve', { actionId }, { expiresIn: -400 })),
      await send(teams.invoke(carol, 'approve', { actionId }, { key: (await generateKeyPair('RS256')).privateKey })),
      await fetch(`${server.notifierHttpUrl}/teams/messages`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"type":"invoke"}' }),
    ].map((response) => response.status);
    expect(statuses).toEqual([401, 401, 401, 401, 401]);
    expect(await ledgerPosition(server.decisionHttpUrl)).toBe(before + 5n);
    expect((await unary(ops.intake, 'GetAction', { actionId })).approval?.votes).toEqual([]);
  });

  it("refuses the agent owner's approval (I1), does not count an unmapped user, and needs a reason to deny", async () => {
    const { actionId } = await escalation();
    const self = (await (await send(teams.invoke(dave, 'approve', { actionId }))).json()) as { value: unknown };
    expect(JSON.stringify(self.value)).toContain('SELF_APPROVAL');
    const stranger = (await (await send(teams.invoke('6c1f2d3e-0000-4000-8000-0000000000ff', 'approve', { actionId }))).json()) as { value: unknown };
    expect(JSON.stringify(stranger.value)).toContain('not mapped');
    const noReason = (await (await send(teams.invoke(carol, 'deny', { actionId }))).json()) as { value: unknown };
    expect(JSON.stringify(noReason.value)).toContain('A reason is required');
    expect((await unary(ops.intake, 'GetAction', { actionId })).status).toBe('AWAITING_APPROVAL');

    expect((await send(teams.invoke(carol, 'deny', { actionId, reason: 'no change ticket' }))).status).toBe(200);
    expect((await awaitOutcome(ops, actionId)).action).toMatchObject({ status: 'DENIED', reason: 'no change ticket' });
  });
});

import { randomUUID } from 'node:crypto';
import type { ApprovalsClient } from '@approvals/client';
import { unary } from '@approvals/client';
import type { TestSystem } from '@approvals/testing';
import { SlackDouble, modes, startSystem } from '@approvals/testing';
import { actionRequest, awaitOutcome, clientAs, eventually, ledgerPosition, settledLedgerPosition } from './support';

jest.setTimeout(60_000);

// Approvers in Slack, in both modes, against a local double of the Slack Web API that checks
// every call against the published contract. Clicks come back signed exactly as Slack signs them.
describe.each(modes)('%s mode: Slack', (mode) => {
  let server: TestSystem;
  let slack: SlackDouble;
  let agent: ApprovalsClient;
  let auditor: ApprovalsClient;

  beforeAll(async () => {
    slack = await new SlackDouble().start();
    server = await startSystem(mode, {
      env: {
        APPROVALS_SLACK_BOT_TOKEN: slack.botToken,
        APPROVALS_SLACK_SIGNING_SECRET: slack.signingSecret,
        APPROVALS_SLACK_API_URL: slack.apiUrl,
        APPROVALS_DELIVERY_RETRY_MS: '200',
        // Every demo export expires within the hour: each is reminded right after it is delivered.
        APPROVALS_REMINDER_BEFORE_SECONDS: '3600',
      },
    });
    agent = clientAs(server.addresses, 'agent-reporting');
    auditor = clientAs(server.addresses, 'frank');
  });

  afterAll(async () => {
    agent?.close();
    auditor?.close();
    await server?.dispose();
    await slack?.stop();
  });

  const post = (signed: { body: string; headers: Record<string, string> }) =>
    fetch(`${server.notifierHttpUrl}/slack/interactivity`, { method: 'POST', headers: signed.headers, body: signed.body });

  /** A large prod export, which the demo policy sends to slack:#data-approvals. */
  async function requestInSlack(overrides = {}) {
    const created = await unary(agent.intake, 'RequestAction', actionRequest({ action: 'db.export', parametersJson: JSON.stringify({ rows: 5000, report: randomUUID() }), ...overrides }));
    await awaitOutcome(agent, created.actionId, 200);
    const message = await eventually(
      async () => slack.messages.find((m) => JSON.stringify(m.blocks).includes(created.actionId)),
      (m) => m !== undefined,
    );
    // Settled: Slack's reminder (sent at once here) is posted and recorded, so later counts are
    // exact. Each channel reminds in turn: another channel's reminder may be recorded first.
    await eventually(
      () => unary(auditor.audit, 'GetTimeline', { actionId: created.actionId }),
      (t) => t.entries.some((e) => e.type === 'ApprovalNotified' && e.dataJson.includes('"channel":"slack"') && e.dataJson.includes('reminder:')),
    );
    return { actionId: created.actionId, message: message! };
  }

  it('posts one Block Kit message with the context and the buttons; an approval in Slack approves and updates it in place', async () => {
    const { actionId, message } = await requestInSlack();
    expect(message.channel).toBe(slack.channelId('#data-approvals'));
    const text = JSON.stringify(message.blocks);
    for (const expected of ['agent-reporting', 'gpt-test', 'dataset:customers', 'prod', 'end-to-end test', 'export-large-prod-needs-data-owner', 'data owner', '1 of data-owners']) {
      expect(text).toContain(expected);
    }
    const actions = message.blocks.find((b) => b['type'] === 'actions') as { elements: { action_id: string; value: string }[] };
    expect(actions.elements.map((e) => [e.action_id, e.value])).toEqual([
      ['approve', actionId],
      ['deny', actionId],
    ]);

    // Reminded in the request's thread before anyone decided.
    expect(slack.calls.some((c) => c.method === 'chat.postMessage' && c.args['thread_ts'] === message.ts && String(c.args['text']).startsWith('Reminder:'))).toBe(true);

    const click = slack.click('U01ALICE', 'approve', actionId);
    const response = await post(slack.signedInteraction(click));
    expect(response.status).toBe(200);
    expect((await awaitOutcome(agent, actionId)).action).toMatchObject({ status: 'APPROVED', approval: { votes: [expect.objectContaining({ approverId: 'alice', channel: 'slack' })] } });

    const updated = await eventually(async () => message.versions.at(-1)!, (v) => JSON.stringify(v.blocks).includes('Approved by alice'));
    expect(updated.blocks.some((b) => b['type'] === 'actions')).toBe(false);
    expect(slack.ephemeral.find((e) => e.path === click['response_url']!.toString().replace(slack.url, ''))?.body).toMatchObject({
      response_type: 'ephemeral',
      text: expect.stringContaining('APPROVED'),
    });
    // The agent's owner (olivia) gets a direct message with the outcome.
    const ownerNotice = await eventually(
      async () => slack.messages.find((m) => m.channel === 'U01OLIVIA' && m.text.includes('Approved by alice')),
      (m) => m !== undefined,
    );
    expect(ownerNotice?.text).toContain('agent-reporting');
    expect(slack.violations).toEqual([]);
  });

  it('denies with the reason typed into the modal', async () => {
    const { actionId } = await requestInSlack();
    expect((await post(slack.signedInteraction(slack.click('U01BOB', 'deny', actionId)))).status).toBe(200);
    const modal = await eventually(async () => slack.modals.find((m) => JSON.stringify(m.view).includes(actionId)), (m) => m !== undefined);
    expect(modal!.view).toMatchObject({ type: 'modal', callback_id: 'deny-reason', private_metadata: actionId });

    const submitted = await post(slack.signedInteraction(slack.denyReason('U01BOB', actionId, 'not before the audit')));
    expect(submitted.status).toBe(200);
    expect((await awaitOutcome(agent, actionId)).action).toMatchObject({ status: 'DENIED', reason: 'not before the audit' });
  });

  it('refuses forged, stale and replayed callbacks with 401 and records them; nothing is voted', async () => {
    const { actionId } = await requestInSlack();
    const before = await settledLedgerPosition(server.decisionHttpUrl);
    const forged = await post(slack.signedInteraction(slack.click('U01ALICE', 'approve', actionId), { secret: 'someone-elses-secret-000000' }));
    const stale = await post(slack.signedInteraction(slack.click('U01ALICE', 'approve', actionId), { timestamp: Math.floor(Date.now() / 1000) - 301 }));
    expect([forged.status, stale.status]).toEqual([401, 401]);
    expect(((await forged.json()) as { detail: string }).detail).toContain('signature');
    // Each refusal is one ChannelCallbackRejected event in the ledger, and nothing else was written.
    expect(await ledgerPosition(server.decisionHttpUrl)).toBe(before + 2n);

    // A genuine click, accepted once; the same signed request again is a replay, refused and recorded.
    const bob = slack.signedInteraction(slack.click('U01BOB', 'approve', actionId));
    expect((await post(bob)).status).toBe(200);
    const afterVote = await settledLedgerPosition(server.decisionHttpUrl);
    expect((await post(bob)).status).toBe(401);
    expect(await ledgerPosition(server.decisionHttpUrl)).toBe(afterVote + 1n);

    const view = await unary(agent.intake, 'GetAction', { actionId });
    expect(view.approval?.votes.map((v) => v.approverId)).toEqual(['bob']);
    expect(slack.violations).toEqual([]);
  });

  it('does not count a click by a Slack user the directory does not know, nor the self-approval of the human the agent acts for', async () => {
    const { actionId } = await requestInSlack({ onBehalfOf: 'alice' });
    const stranger = slack.click('U0STRANGER', 'approve', actionId);
    expect((await post(slack.signedInteraction(stranger))).status).toBe(200);
    const self = slack.click('U01ALICE', 'approve', actionId);
    expect((await post(slack.signedInteraction(self))).status).toBe(200);
    const outsider = slack.click('U01CAROL', 'approve', actionId); // security, not a data owner
    expect((await post(slack.signedInteraction(outsider))).status).toBe(200);

    const path = (click: Record<string, unknown>) => String(click['response_url']).replace(slack.url, '');
    await eventually(async () => slack.ephemeral.filter((e) => [path(stranger), path(self), path(outsider)].includes(e.path)).length, (n) => n === 3);
    expect(slack.ephemeral.find((e) => e.path === path(stranger))?.body['text']).toContain('not mapped');
    expect(slack.ephemeral.find((e) => e.path === path(self))?.body['text']).toContain('SELF_APPROVAL');
    expect(slack.ephemeral.find((e) => e.path === path(outsider))?.body['text']).toContain('NOT_ELIGIBLE');
    const timeline = await eventually(
      () => unary(auditor.audit, 'GetTimeline', { actionId }),
      (t) => t.entries.filter((e) => e.type === 'VoteRejected').length >= 2,
    );
    expect(timeline.entries.filter((e) => e.type === 'VoteRejected').map((e) => JSON.parse(e.dataJson).reason).sort()).toEqual(['NOT_ELIGIBLE', 'SELF_APPROVAL']);
    expect((await unary(agent.intake, 'GetAction', { actionId })).status).toBe('AWAITING_APPROVAL');
  });

  it('delivers every request of a burst once Slack answers again after an outage, with no duplicates', async () => {
    slack.failWith = 503;
    const failedBefore = slack.calls.length;
    const created = await Promise.all(
      Array.from({ length: 5 }, () =>
        unary(agent.intake, 'RequestAction', actionRequest({ action: 'db.export', parametersJson: JSON.stringify({ rows: 5000, report: randomUUID() }) })),
      ),
    );
    // Longer than the Web API client's own retries (4 calls per attempt): the notifier's retries must carry it.
    await eventually(async () => slack.calls.length - failedBefore, (n) => n >= 30, 30_000);
    expect(created.every(({ actionId }) => !slack.messages.some((m) => JSON.stringify(m.blocks).includes(actionId)))).toBe(true);

    slack.failWith = undefined;
    const posted = (actionId: string) => slack.messages.filter((m) => JSON.stringify(m.blocks).includes(actionId)).length;
    await eventually(async () => created.map(({ actionId }) => posted(actionId)), (counts) => counts.every((n) => n >= 1), 30_000);
    // Give a duplicate the chance to show up before judging.
    await new Promise((resolve) => setTimeout(resolve, 1000));
    expect(created.map(({ actionId }) => posted(actionId))).toEqual([1, 1, 1, 1, 1]);
    const alice = clientAs(server.addresses, 'alice');
    let failed = 0;
    try {
      for (const { actionId } of created) {
        const timeline = await eventually(
          () => unary(alice.audit, 'GetTimeline', { actionId }),
          (t) => t.entries.some((e) => e.type === 'ApprovalNotified' && e.dataJson.includes('"slack"') && !e.dataJson.includes('reminder:')),
        );
        const deliveries = timeline.entries.filter((e) => e.type === 'ApprovalNotified' && e.dataJson.includes('"slack"') && !e.dataJson.includes('reminder:'));
        expect(deliveries).toHaveLength(1);
        // A request first tried during the outage has its first failure on record, before the delivery that worked.
        const failures = timeline.entries.filter((e) => e.type === 'ApprovalNotificationFailed');
        expect(failures.length).toBeLessThanOrEqual(1);
        if (failures.length === 1) {
          expect(JSON.parse(failures[0]!.dataJson).channel).toBe('slack');
          expect(timeline.entries.indexOf(failures[0]!)).toBeLessThan(timeline.entries.indexOf(deliveries[0]!));
          failed += 1;
        }
      }
    } finally {
      alice.close();
    }
    // The outage outlasted the first attempts, so at least one failure is on record.
    expect(failed).toBeGreaterThan(0);
    expect(slack.violations).toEqual([]);
  });
});

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { channelKindNames } from '@approvals/contracts';
import { SlackChannel, SlackRequestVerifier } from '@approvals/channels-slack';
import { BotFrameworkAuthenticator, TeamsChannel, TeamsWorkflowChannel } from '@approvals/channels-teams';
import { WebhookChannel } from '@approvals/channels-webhook';
import { channelPlugins, channelsSection, createChannels } from './channel-registry';

describe('the channel registry', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'approvals-channels-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('has a plugin for every channel kind but the console, each under its own kind', () => {
    expect(Object.keys(channelPlugins).sort()).toEqual(channelKindNames.filter((kind) => kind !== 'console').sort());
    for (const [kind, plugin] of Object.entries(channelPlugins)) expect(plugin.kind).toBe(kind);
  });

  it('creates nothing but what is configured', () => {
    expect(createChannels({})).toEqual({ delivery: [] });
  });

  it('creates every configured channel, delivering in registry order, with what its callback endpoint needs', () => {
    const webhooks = join(dir, 'webhooks.json');
    writeFileSync(webhooks, JSON.stringify({ webhooks: [{ name: 'ticketing', url: 'https://tickets.example.com/hook', secret: `whsec_${'A'.repeat(32)}` }] }));
    const settings = channelsSection.read(
      {
        APPROVALS_SLACK_BOT_TOKEN: 'xoxb-1',
        APPROVALS_SLACK_SIGNING_SECRET: 's'.repeat(32),
        APPROVALS_SLACK_DEFAULT_CHANNEL: '#approvals',
        APPROVALS_TEAMS_APP_ID: 'app',
        APPROVALS_TEAMS_APP_PASSWORD: 'pw',
        APPROVALS_TEAMS_WORKFLOW_URL: 'https://prod.example.com/workflows/1',
        APPROVALS_WEBHOOKS_FILE: webhooks,
      },
      { path: (p) => p, dataDir: dir },
    );
    const created = createChannels(settings);
    expect(created.delivery.map((channel) => channel.constructor)).toEqual([SlackChannel, TeamsChannel, TeamsWorkflowChannel, WebhookChannel]);
    expect(created.slack?.channel).toBe(created.delivery[0]);
    expect(created.slack?.verifier).toBeInstanceOf(SlackRequestVerifier);
    expect(created.teams?.auth).toBeInstanceOf(BotFrameworkAuthenticator);
    expect(created.webhook?.channel.endpoint('ticketing')?.endpoint.url).toBe('https://tickets.example.com/hook');
  });
});

import { ConfigProblem, configSection } from '@approvals/contracts';
import { channelPlugin } from '@approvals/channels-core';
import { z } from 'zod';
import { SlackChannel, type SlackChannelOptions } from './slack-channel';
import { SlackRequestVerifier } from './slack-signature';

/** The Slack app (APPROVALS_SLACK_*): the notifier delivers there and takes clicks. */
export interface SlackSettings {
  botToken: string;
  signingSecret: string;
  defaultChannel: string;
  apiUrl?: string | undefined;
}

export const slackChannelPlugin = channelPlugin({
  kind: 'slack',
  settings: configSection({
    env: {
      APPROVALS_SLACK_BOT_TOKEN: z.string().regex(/^xox[bp]-/, 'must be a Slack bot token (xoxb-...)').optional(),
      APPROVALS_SLACK_SIGNING_SECRET: z.string().min(16, 'must be the app signing secret (at least 16 characters)').optional(),
      APPROVALS_SLACK_DEFAULT_CHANNEL: z.string().min(1).default('#approvals'),
      APPROVALS_SLACK_API_URL: z.string().url('must be a URL').optional(),
    },
    read(c): SlackSettings | undefined {
      if (!c.APPROVALS_SLACK_BOT_TOKEN !== !c.APPROVALS_SLACK_SIGNING_SECRET) {
        throw new ConfigProblem('APPROVALS_SLACK_BOT_TOKEN and APPROVALS_SLACK_SIGNING_SECRET go together');
      }
      if (!c.APPROVALS_SLACK_BOT_TOKEN) return undefined;
      return {
        botToken: c.APPROVALS_SLACK_BOT_TOKEN,
        signingSecret: c.APPROVALS_SLACK_SIGNING_SECRET!,
        defaultChannel: c.APPROVALS_SLACK_DEFAULT_CHANNEL,
        ...(c.APPROVALS_SLACK_API_URL ? { apiUrl: c.APPROVALS_SLACK_API_URL } : {}),
      };
    },
  }),
  create(settings: SlackSettings) {
    const options: SlackChannelOptions = settings;
    const channel = new SlackChannel(options);
    return { delivery: [channel], channel, verifier: new SlackRequestVerifier(settings.signingSecret) };
  },
});

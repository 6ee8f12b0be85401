import { ConfigProblem, configSection } from '@approvals/contracts';
import { channelPlugin } from '@approvals/channels-core';
import type { NotificationChannel } from '@approvals/application';
import { z } from 'zod';
import { BotConnectorClient, BotFrameworkAuthenticator, loadTeamsConversations } from './bot-framework';
import { TeamsChannel, TeamsWorkflowChannel } from './teams-channel';

/**
 * Teams: the bot (APPROVALS_TEAMS_APP_ID and _APP_PASSWORD: app credentials, the conversations it
 * posts to, where Bot Framework's keys and tokens come from), and a notify-only Workflows webhook
 * (APPROVALS_TEAMS_WORKFLOW_URL); either or both.
 */
export interface TeamsSettings {
  bot?: { appId: string; appPassword: string; conversationsFile?: string | undefined; openIdMetadataUrl?: string | undefined; tokenUrl?: string | undefined } | undefined;
  workflowUrl?: string | undefined;
}

export const teamsChannelPlugin = channelPlugin({
  kind: 'teams',
  settings: configSection({
    env: {
      APPROVALS_TEAMS_APP_ID: z.string().min(1).optional(),
      APPROVALS_TEAMS_APP_PASSWORD: z.string().min(1).optional(),
      APPROVALS_TEAMS_CONVERSATIONS_FILE: z.string().min(1).optional(),
      APPROVALS_TEAMS_OPENID_METADATA_URL: z.string().url('must be a URL').optional(),
      APPROVALS_TEAMS_TOKEN_URL: z.string().url('must be a URL').optional(),
      APPROVALS_TEAMS_WORKFLOW_URL: z.string().url('must be a URL').optional(),
    },
    read(c, { path }): TeamsSettings | undefined {
      if (!c.APPROVALS_TEAMS_APP_ID !== !c.APPROVALS_TEAMS_APP_PASSWORD) {
        throw new ConfigProblem('APPROVALS_TEAMS_APP_ID and APPROVALS_TEAMS_APP_PASSWORD go together');
      }
      if (!c.APPROVALS_TEAMS_APP_ID && !c.APPROVALS_TEAMS_WORKFLOW_URL) return undefined;
      return {
        ...(c.APPROVALS_TEAMS_APP_ID
          ? {
              bot: {
                appId: c.APPROVALS_TEAMS_APP_ID,
                appPassword: c.APPROVALS_TEAMS_APP_PASSWORD!,
                ...(c.APPROVALS_TEAMS_CONVERSATIONS_FILE ? { conversationsFile: path(c.APPROVALS_TEAMS_CONVERSATIONS_FILE) } : {}),
                ...(c.APPROVALS_TEAMS_OPENID_METADATA_URL ? { openIdMetadataUrl: c.APPROVALS_TEAMS_OPENID_METADATA_URL } : {}),
                ...(c.APPROVALS_TEAMS_TOKEN_URL ? { tokenUrl: c.APPROVALS_TEAMS_TOKEN_URL } : {}),
              },
            }
          : {}),
        ...(c.APPROVALS_TEAMS_WORKFLOW_URL ? { workflowUrl: c.APPROVALS_TEAMS_WORKFLOW_URL } : {}),
      };
    },
  }),
  create({ bot, workflowUrl }: TeamsSettings) {
    const channel = bot ? new TeamsChannel(new BotConnectorClient(bot), bot.conversationsFile ? loadTeamsConversations(bot.conversationsFile) : []) : undefined;
    const delivery: NotificationChannel[] = [...(channel ? [channel] : []), ...(workflowUrl ? [new TeamsWorkflowChannel(workflowUrl)] : [])];
    return { delivery, ...(bot ? { auth: new BotFrameworkAuthenticator(bot.appId, bot.openIdMetadataUrl) } : {}) };
  },
});

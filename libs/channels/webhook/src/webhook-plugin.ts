import { configSection } from '@approvals/contracts';
import { channelPlugin } from '@approvals/channels-core';
import { z } from 'zod';
import { WebhookChannel, loadWebhookEndpoints } from './webhook-channel';

/** Signed webhook endpoints (APPROVALS_WEBHOOKS_FILE), which policies name as `webhook:<name>`. */
export interface WebhookSettings {
  file: string;
}

export const webhookChannelPlugin = channelPlugin({
  kind: 'webhook',
  settings: configSection({
    env: { APPROVALS_WEBHOOKS_FILE: z.string().min(1).optional() },
    read: (c, { path }): WebhookSettings | undefined => (c.APPROVALS_WEBHOOKS_FILE ? { file: path(c.APPROVALS_WEBHOOKS_FILE) } : undefined),
  }),
  create(settings: WebhookSettings) {
    const channel = new WebhookChannel(loadWebhookEndpoints(settings.file));
    return { delivery: [channel], channel };
  },
});

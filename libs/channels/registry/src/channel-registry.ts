import type { NotificationChannel } from '@approvals/application';
import type { ChannelKind } from '@approvals/contracts';
import { configSection } from '@approvals/contracts';
import { slackChannelPlugin } from '@approvals/channels-slack';
import { teamsChannelPlugin } from '@approvals/channels-teams';
import { webhookChannelPlugin } from '@approvals/channels-webhook';
import type { z } from 'zod';

/**
 * Every channel plugin, by kind: one line per channel. A kind of `channelKinds` without a plugin
 * here is a compile error; the console is the notifier's own pages, not a plugin.
 */
export const channelPlugins = {
  slack: slackChannelPlugin,
  teams: teamsChannelPlugin,
  webhook: webhookChannelPlugin,
} as const satisfies { readonly [K in Exclude<ChannelKind, 'console'>]: { readonly kind: K } };

type Plugins = typeof channelPlugins;
type SettingsOf<K extends keyof Plugins> = Parameters<Plugins[K]['create']>[0];
type CreatedOf<K extends keyof Plugins> = ReturnType<Plugins[K]['create']>;

/** The settings of the configured channels (a channel that is not configured is absent). */
export type ChannelSettings = { [K in keyof Plugins]?: SettingsOf<K> | undefined };

/** The configured channels, created: what each delivers through, and what each callback endpoint needs. */
export type CreatedChannels = { delivery: NotificationChannel[] } & { [K in keyof Plugins]?: CreatedOf<K> | undefined };

const kinds = Object.keys(channelPlugins) as (keyof Plugins)[];

/** The configuration's `channels` section: every plugin's variables, checks and settings. */
export const channelsSection = configSection({
  env: Object.assign({}, ...kinds.map((kind) => channelPlugins[kind].settings.env)) as z.ZodRawShape,
  read(vars, context): ChannelSettings {
    const settings: ChannelSettings = {};
    for (const kind of kinds) {
      const read = channelPlugins[kind].settings.read as (vars: unknown, context: unknown) => unknown;
      const found = read(vars, context);
      if (found !== undefined) Object.assign(settings, { [kind]: found });
    }
    return settings;
  },
});

/** Creates every configured channel. */
export function createChannels(settings: ChannelSettings): CreatedChannels {
  const created: CreatedChannels = { delivery: [] };
  for (const kind of kinds) {
    const own = settings[kind];
    if (own === undefined) continue;
    const create = channelPlugins[kind].create as (settings: unknown) => { delivery: readonly NotificationChannel[] };
    const made = create(own);
    created.delivery.push(...made.delivery);
    Object.assign(created, { [kind]: made });
  }
  return created;
}

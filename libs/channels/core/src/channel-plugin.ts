import type { NotificationChannel } from '@approvals/application';
import type { ChannelKind, ConfigSection } from '@approvals/contracts';
import type { z } from 'zod';

/** What a plugin creates: the channels the notifier delivers through, and what its callback endpoint needs. */
export interface CreatedChannel {
  readonly delivery: readonly NotificationChannel[];
}

/**
 * A channel approvers are reached through, as its library declares it: its kind (listed in
 * `channelKinds`, with how its users map to people), its settings (a section of the
 * configuration: environment variables, cross-checks, and the settings they give, undefined when
 * the channel is not configured), and how it is created from them. The registry
 * (`@approvals/channels`) lists every plugin.
 */
export interface ChannelPlugin<Kind extends ChannelKind, Shape extends z.ZodRawShape, Settings, Created extends CreatedChannel> {
  readonly kind: Kind;
  readonly settings: ConfigSection<Shape, Settings | undefined>;
  create(settings: Settings): Created;
}

/** Declares a plugin, inferring its types. */
export const channelPlugin = <Kind extends ChannelKind, Shape extends z.ZodRawShape, Settings, Created extends CreatedChannel>(
  plugin: ChannelPlugin<Kind, Shape, Settings, Created>,
): ChannelPlugin<Kind, Shape, Settings, Created> => plugin;

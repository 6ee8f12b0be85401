/**
 * The kinds of channel approvers are reached through: what a policy's `@channels("<kind>:<target>")`
 * may name, and, for chat channels, the account by which the directory maps one of their users to
 * a person (kept in the directory file under the kind's name, e.g. `"slack": "U024BE7LH"`).
 *
 * Adding a channel starts here; the directory file, its lookups and the annotation parser follow
 * from this table, and the notifier's channel registry must then create it (see docs/architecture.md).
 */
export interface ChannelKindInfo {
  /** How people call it, in messages ("Slack user U1 is not mapped to anyone"). */
  readonly label: string;
  /** For a channel whose users the directory maps to people: their account ids. */
  readonly account?: {
    readonly pattern: RegExp;
    /** The error for an id that does not match, naming the field. */
    readonly error: string;
    /** Ids compared without regard to case (kept in lower case). */
    readonly caseInsensitive: boolean;
  };
}

export const channelKinds = {
  slack: { label: 'Slack', account: { pattern: /^[UW][A-Z0-9]{2,20}$/, error: 'slack must be a Slack user id such as U024BE7LH', caseInsensitive: false } },
  teams: {
    label: 'Teams',
    account: {
      pattern: /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/,
      error: 'teams must be a Microsoft Entra object id (a GUID)',
      caseInsensitive: true,
    },
  },
  // The calling system names the approver by their directory id.
  webhook: { label: 'webhook' },
  // People sign in to the console (OIDC or a demo key) as who they are in the directory.
  console: { label: 'console' },
} as const satisfies Record<string, ChannelKindInfo>;

export type ChannelKind = keyof typeof channelKinds;
/** The kinds whose users the directory maps to people by an account id. */
export type AccountChannelKind = { [K in ChannelKind]: (typeof channelKinds)[K] extends { account: object } ? K : never }[ChannelKind];

export const channelKindNames = Object.keys(channelKinds) as ChannelKind[];
export const accountChannelKinds = channelKindNames.filter((kind): kind is AccountChannelKind => 'account' in channelKinds[kind]);

export const isChannelKind = (kind: string): kind is ChannelKind => Object.hasOwn(channelKinds, kind);

/** An account id as the directory keeps and compares it. */
export function normalizedAccount(kind: AccountChannelKind, id: string): string {
  return channelKinds[kind].account.caseInsensitive ? id.toLowerCase() : id;
}

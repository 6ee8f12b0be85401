import type { AccountChannelKind } from '@approvals/contracts';

/**
 * A person known to the system (loaded from a directory file), with their account on each chat
 * channel the directory maps (`slack`: a Slack user id such as U024BE7LH; `teams`: a Microsoft
 * Entra object id, in lower case): how a click in that channel maps to this person.
 */
export type Human = {
  id: string;
  name: string;
  email?: string | undefined;
  groups: string[];
  /** Demo-only API key (embedded mode); never used in production. */
  apiKey?: string | undefined;
} & { [K in AccountChannelKind]?: string | undefined };

export interface Agent {
  id: string;
  /** The human accountable for this agent. */
  owner: string;
  description?: string | undefined;
  /** Demo-only API key (embedded mode); never used in production. */
  apiKey?: string | undefined;
}

export interface Directory {
  findHuman(id: string): Human | undefined;
  findAgent(id: string): Agent | undefined;
  groupMembers(group: string): Human[];
  humans(): Human[];
  /**
   * The person with this account on a chat channel (a Slack user id, a Teams user's Entra object
   * id: `from.aadObjectId`), if the directory maps one.
   */
  findHumanByAccount(kind: AccountChannelKind, accountId: string): Human | undefined;
  agents(): Agent[];
  /** Who holds this (demo) API key, if anyone. */
  authenticate(apiKey: string): { kind: 'agent' | 'human'; id: string } | undefined;
}

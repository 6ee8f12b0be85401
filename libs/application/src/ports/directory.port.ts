/** People, groups and agents known to the system (loaded from a directory file in this slice). */
export interface Human {
  id: string;
  name: string;
  email?: string | undefined;
  groups: string[];
  /** Their Slack user id (e.g. U024BE7LH): how a click in Slack maps to this person. */
  slack?: string | undefined;
  /** Their Microsoft Entra object id (a GUID): how an action in Teams maps to this person. */
  teams?: string | undefined;
  /** Demo-only API key (embedded mode); never used in production. */
  apiKey?: string | undefined;
}

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
  /** The person with this Slack user id, if the directory maps one. */
  findHumanBySlackUser(slackUserId: string): Human | undefined;
  /** The person with this Microsoft Entra object id (Teams' `from.aadObjectId`), if the directory maps one. */
  findHumanByTeamsUser(aadObjectId: string): Human | undefined;
  agents(): Agent[];
  /** Who holds this (demo) API key, if anyone. */
  authenticate(apiKey: string): { kind: 'agent' | 'human'; id: string } | undefined;
}

import type { CommandReply } from '@approvals/contracts';

/** What a person is told about their vote, whatever the channel: recorded, refused (and why), or not recorded. */
export function describeVoteReply(reply: CommandReply): string {
  if (!reply.ok) return `Your vote could not be recorded: ${reply.message}`;
  if (reply.rejection) return `Your vote was refused (${reply.rejection.reason}): ${reply.rejection.detail}`;
  return `Your vote was recorded; the action is now ${reply.status}.`;
}

/** True when the vote counted. */
export const voteCounted = (reply: CommandReply): boolean => reply.ok && !reply.rejection;

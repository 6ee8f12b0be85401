import type { AccountChannelKind, CommandReply } from '@approvals/contracts';
import { channelKinds } from '@approvals/contracts';
import type { VoteDecision } from '@approvals/domain';
import type { Directory, Human } from '../ports/directory.port';
import type { NotifierService } from './notifier.service';
import type { Refusal } from './refusal-summaries';

/** Who is behind a vote that came through a channel: an account of a chat channel, or a person of the directory by id. */
export type ChannelVoter = { account: AccountChannelKind; id: string | undefined } | { person: string };

/** What a refused request was about: the action of a verified one, or what an unverified one claimed (never trusted). */
export interface RefusalSubject {
  actionId?: string;
  claimedActionId?: string;
}

/** Where refused callbacks are recorded for the auditors (the notifier's channel security log). */
export interface RefusalRecorder {
  refused(refusal: Refusal, about?: RefusalSubject): Promise<void>;
}

export interface ChannelVote {
  /** The channel as votes record it: `slack`, `teams`, `webhook:<name>`, `console`. */
  channel: string;
  /** The client address, for the refusal records. */
  source: string;
  actionId: string;
  decision: VoteDecision;
  /** The reason; required to deny. */
  comment?: string | undefined;
}

export type ChannelVoteOutcome =
  /** Nobody of the directory is behind the request; the refusal is recorded. */
  | { kind: 'unknown-person'; detail: string }
  /** A denial without a reason: nothing was sent. */
  | { kind: 'reason-required' }
  /** The vote went to the decision service, which judged it (I1, I2). */
  | { kind: 'cast'; approverId: string; reply: CommandReply };

/**
 * The one path of a vote that arrives through a channel (Slack, Teams, a webhook, the console),
 * after the channel has verified the request its own way: map the person, require a reason to
 * deny, cast the vote; and record every refusal for the auditors.
 */
export class ChannelVotes {
  constructor(
    private readonly notifier: Pick<NotifierService, 'castVote'>,
    private readonly directory: Directory,
    private readonly refusals: RefusalRecorder,
  ) {}

  /** A request that failed the channel's own check (signature, token, replay): recorded, nothing else. */
  refuse(refusal: Refusal, about: RefusalSubject = {}): Promise<void> {
    return this.refusals.refused(refusal, about);
  }

  /** The person behind a request; when the directory has nobody, `{ unknown }` with the reason, and the refusal recorded. */
  async identify(voter: ChannelVoter, context: { channel: string; source: string; actionId: string }): Promise<Human | { unknown: string }> {
    const human = 'person' in voter ? this.directory.findHuman(voter.person) : voter.id ? this.directory.findHumanByAccount(voter.account, voter.id) : undefined;
    if (human) return human;
    const detail =
      'person' in voter
        ? `approver ${voter.person} is not a person of the directory`
        : `${channelKinds[voter.account].label} user ${voter.id ?? '?'} is not mapped to anyone in the directory`;
    await this.refusals.refused({ channel: context.channel, reason: 'UNKNOWN_USER', detail, source: context.source }, { actionId: context.actionId });
    return { unknown: detail };
  }

  /** Identifies the voter, then casts the vote as `castBy` does. */
  async cast(voter: ChannelVoter, vote: ChannelVote): Promise<ChannelVoteOutcome> {
    const human = await this.identify(voter, vote);
    if ('unknown' in human) return { kind: 'unknown-person', detail: human.unknown };
    return this.castBy(human, vote);
  }

  /** Casts the vote of a person the channel has already identified. */
  async castBy(human: Human, vote: ChannelVote): Promise<ChannelVoteOutcome> {
    const comment = vote.comment?.trim().slice(0, 2000) ?? '';
    if (vote.decision === 'DENY' && !comment) return { kind: 'reason-required' };
    const reply = await this.notifier.castVote({ actionId: vote.actionId, approverId: human.id, channel: vote.channel, decision: vote.decision, comment: comment || undefined });
    return { kind: 'cast', approverId: human.id, reply };
  }
}

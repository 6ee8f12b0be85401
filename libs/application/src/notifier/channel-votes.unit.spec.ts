import type { CommandReply } from '@approvals/contracts';
import { directoryOf } from '@approvals/testing';
import { ChannelVotes, type RefusalSubject } from './channel-votes';
import type { CastVoteInput } from './notifier.service';
import type { Refusal } from './refusal-summaries';

describe('ChannelVotes: the one path of a vote from a channel', () => {
  const directory = directoryOf(
    [
      { id: 'alice', name: 'Alice', groups: ['data-owners'], slack: 'U024BE7LH', teams: '6f1e2d3c-0000-4000-8000-00000000ab12' },
      { id: 'bob', name: 'Bob', groups: ['data-owners'] },
    ],
    [],
  );
  const actionId = '0b8f9e52-5f43-4a8e-9d0e-4c1f2a3b4c5d';
  let cast: CastVoteInput[];
  let refused: { refusal: Refusal; about: RefusalSubject | undefined }[];
  let votes: ChannelVotes;
  const reply: CommandReply = { ok: true, actionId, status: 'APPROVED' };

  beforeEach(() => {
    cast = [];
    refused = [];
    votes = new ChannelVotes(
      { castVote: async (input) => (cast.push(input), reply) },
      directory,
      { refused: async (refusal, about) => void refused.push({ refusal, about }) },
    );
  });

  it('maps a chat account to its person and casts the vote as them', async () => {
    const outcome = await votes.cast({ account: 'teams', id: '6F1E2D3C-0000-4000-8000-00000000AB12' }, { channel: 'teams', source: '10.0.0.1', actionId, decision: 'APPROVE' });
    expect(outcome).toEqual({ kind: 'cast', approverId: 'alice', reply });
    expect(cast).toEqual([{ actionId, approverId: 'alice', channel: 'teams', decision: 'APPROVE', comment: undefined }]);
    expect(refused).toEqual([]);
  });

  it('records an account nobody is mapped to as a refusal and sends nothing', async () => {
    expect(await votes.cast({ account: 'slack', id: 'U999' }, { channel: 'slack', source: '10.0.0.2', actionId, decision: 'APPROVE' })).toEqual({
      kind: 'unknown-person',
      detail: 'Slack user U999 is not mapped to anyone in the directory',
    });
    expect(await votes.cast({ account: 'teams', id: undefined }, { channel: 'teams', source: '10.0.0.2', actionId, decision: 'APPROVE' })).toMatchObject({
      detail: 'Teams user ? is not mapped to anyone in the directory',
    });
    expect(await votes.cast({ person: 'mallory' }, { channel: 'webhook:ticketing', source: '10.0.0.3', actionId, decision: 'APPROVE' })).toMatchObject({
      detail: 'approver mallory is not a person of the directory',
    });
    expect(cast).toEqual([]);
    expect(refused).toEqual([
      { refusal: { channel: 'slack', reason: 'UNKNOWN_USER', detail: 'Slack user U999 is not mapped to anyone in the directory', source: '10.0.0.2' }, about: { actionId } },
      { refusal: { channel: 'teams', reason: 'UNKNOWN_USER', detail: 'Teams user ? is not mapped to anyone in the directory', source: '10.0.0.2' }, about: { actionId } },
      { refusal: { channel: 'webhook:ticketing', reason: 'UNKNOWN_USER', detail: 'approver mallory is not a person of the directory', source: '10.0.0.3' }, about: { actionId } },
    ]);
  });

  it('requires a reason to deny, and sends the reason trimmed and bounded', async () => {
    expect(await votes.cast({ person: 'bob' }, { channel: 'console', source: '', actionId, decision: 'DENY', comment: '   ' })).toEqual({ kind: 'reason-required' });
    expect(cast).toEqual([]);
    await votes.cast({ person: 'bob' }, { channel: 'console', source: '', actionId, decision: 'DENY', comment: `  ${'x'.repeat(2500)}  ` });
    expect(cast).toEqual([{ actionId, approverId: 'bob', channel: 'console', decision: 'DENY', comment: 'x'.repeat(2000) }]);
  });

  it('records a request that failed the channel check, with what it claimed', async () => {
    await votes.refuse({ channel: 'slack', reason: 'BAD_SIGNATURE', detail: 'the signature does not match', source: '10.0.0.9' }, { claimedActionId: actionId });
    expect(refused).toEqual([{ refusal: { channel: 'slack', reason: 'BAD_SIGNATURE', detail: 'the signature does not match', source: '10.0.0.9' }, about: { claimedActionId: actionId } }]);
  });
});

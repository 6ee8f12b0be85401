import type { StandingRequest, VoteDecision } from '@approvals/contracts';
import { expectPositionals, parseCommandArgs, parseDuration, required } from '../args';
import { UsageError } from '../errors';
import { ExitCode } from '../errors';
import { printJson, requireApiKey, type CliContext, type Command } from './command';

const approver = { type: 'string', value: '<human>', description: 'the approver (their apiKey comes from the directory file)' } as const;
const approveOptions = {
  as: approver,
  comment: { type: 'string', value: '<text>', description: 'a note for the record' },
  standing: {
    type: 'string',
    value: '<duration>',
    description: 'also approve identical requests for this long (e.g. 30m), where the policy allows standing approvals',
  },
  'this-run': { type: 'boolean', description: "with --standing: only requests of this request's run" },
} as const;
const denyOptions = { as: approver, reason: { type: 'string', value: '<text>', description: 'why the action is denied (required)' } } as const;

const description =
  "Calls CastVote as the approver. Prints whether the vote was accepted and the action's status; a rejected vote " +
  '(e.g. SELF_APPROVAL, NOT_ELIGIBLE, DUPLICATE_VOTE, EXPIRED) prints the reason and detail and exits with code 3.';

interface Vote {
  command: string;
  actionId: string;
  decision: VoteDecision;
  comment: string;
  as: string | undefined;
  standing?: StandingRequest | undefined;
}

async function castVote(ctx: CliContext, vote: Vote): Promise<number> {
  const principal = vote.as === undefined ? undefined : { kind: 'human' as const, id: vote.as };
  const api = ctx.connect(requireApiKey(ctx, principal, `${vote.command}: --as <human> is required`));
  const response = await api.castVote({
    actionId: vote.actionId,
    decision: vote.decision,
    comment: vote.comment,
    ...(vote.standing ? { standing: vote.standing } : {}),
  });
  if (ctx.json) printJson(ctx.io, response);
  else if (response.accepted) ctx.io.out(`vote accepted: action ${vote.actionId} is now ${response.status}`);
  else {
    ctx.io.out(`vote rejected: ${response.rejectionReason}${response.detail ? `: ${response.detail}` : ''}`);
    ctx.io.out(`action ${vote.actionId} is ${response.status}`);
  }
  return response.accepted ? ExitCode.ok : ExitCode.negative;
}

export const approveCommand: Command = {
  name: 'approve',
  synopsis: 'approve <actionId> --as <human> [--comment <text>] [--standing <duration> [--this-run]]',
  summary: 'vote to approve an action (optionally granting a standing approval)',
  description:
    `${description} With --standing, identical requests (same agent and model, action, resource, environment, classification, ` +
    'on-behalf-of and parameters) are approved without asking for that long, if the policy allows it (@standing) and ' +
    'every approver who meets the quorum asks for it; --this-run limits it to requests of the same run.',
  options: approveOptions,
  async run(args, ctx) {
    const { values, positionals } = parseCommandArgs('approve', args, approveOptions);
    const [actionId] = expectPositionals('approve', positionals, ['actionId']);
    if (values['this-run'] && values.standing === undefined) throw new UsageError('approve: --this-run needs --standing <duration>');
    const standing =
      values.standing === undefined ? undefined : { seconds: parseDuration('--standing', values.standing), thisRunOnly: values['this-run'] === true };
    return castVote(ctx, { command: 'approve', actionId, decision: 'APPROVE', comment: values.comment ?? '', as: values.as, standing });
  },
};

export const denyCommand: Command = {
  name: 'deny',
  synopsis: 'deny <actionId> --as <human> --reason <text>',
  summary: 'vote to deny an action (a reason is required)',
  description,
  options: denyOptions,
  async run(args, ctx) {
    const { values, positionals } = parseCommandArgs('deny', args, denyOptions);
    const [actionId] = expectPositionals('deny', positionals, ['actionId']);
    const reason = required('deny', 'reason', values.reason);
    return castVote(ctx, { command: 'deny', actionId, decision: 'DENY', comment: reason, as: values.as });
  },
};

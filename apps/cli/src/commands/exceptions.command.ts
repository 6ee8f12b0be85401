import type { BreakGlassResponse__Output } from '@approvals/contracts';
import { expectPositionals, parseCommandArgs, required } from '../args';
import { ExitCode, UsageError } from '../errors';
import { printJson, requireApiKey, type CliContext, type Command } from './command';

// The two accountable exceptions to asking: revoking a standing approval, and break-glass with
// its mandatory review. Each is a call to the decision service as a person.

const as = { type: 'string', value: '<human>', description: 'who you are (their apiKey comes from the directory file)' } as const;

function connectAs(ctx: CliContext, command: string, id: string | undefined) {
  return ctx.connect(requireApiKey(ctx, id === undefined ? undefined : { kind: 'human', id }, `${command}: --as <human> is required`));
}

/** Prints an accepted or refused (and recorded) break-glass call; refused exits with code 3. */
function printBreakGlass(ctx: CliContext, actionId: string, what: string, response: BreakGlassResponse__Output): number {
  if (ctx.json) printJson(ctx.io, response);
  else if (response.accepted) ctx.io.out(`${what}: action ${actionId} is ${response.status}`);
  else {
    ctx.io.out(`refused (recorded in the ledger): ${response.rejectionReason}${response.detail ? `: ${response.detail}` : ''}`);
    ctx.io.out(`action ${actionId} is ${response.status}`);
  }
  return response.accepted ? ExitCode.ok : ExitCode.negative;
}

const revokeOptions = { as, reason: { type: 'string', value: '<text>', description: 'why it ends now (required)' } } as const;

export const revokeStandingCommand: Command = {
  name: 'revoke-standing',
  synopsis: 'revoke-standing <actionId> --as <human> --reason <text>',
  summary: "end the standing approval that an action's approval granted",
  description:
    'Calls RevokeStandingApproval. Its approvers, anyone in the groups the policy named, or the agent\'s owner may revoke it; ' +
    'later identical requests then wait for approvers again.',
  options: revokeOptions,
  async run(args, ctx) {
    const { values, positionals } = parseCommandArgs('revoke-standing', args, revokeOptions);
    const [actionId] = expectPositionals('revoke-standing', positionals, ['actionId']);
    const reason = required('revoke-standing', 'reason', values.reason);
    const response = await connectAs(ctx, 'revoke-standing', values.as).revokeStandingApproval({ actionId, reason });
    if (ctx.json) printJson(ctx.io, response);
    else ctx.io.out(`standing approval of action ${actionId} revoked`);
    return ExitCode.ok;
  },
};

const breakGlassOptions = {
  as,
  justification: { type: 'string', value: '<text>', description: 'why this cannot wait for approval (required)' },
} as const;

export const breakGlassCommand: Command = {
  name: 'break-glass',
  synopsis: 'break-glass <actionId> --as <human> --justification <text>',
  summary: 'take the emergency path the policy offers: approve now, review afterwards',
  description:
    'Calls InvokeBreakGlass. Only where the policy offers it (@breakGlass) and only for members of the groups it names: ' +
    'the action is approved at once, every approver of the required groups is told, and one of them must review it. ' +
    'A refused attempt is recorded in the ledger and exits with code 3.',
  options: breakGlassOptions,
  async run(args, ctx) {
    const { values, positionals } = parseCommandArgs('break-glass', args, breakGlassOptions);
    const [actionId] = expectPositionals('break-glass', positionals, ['actionId']);
    const justification = required('break-glass', 'justification', values.justification);
    const response = await connectAs(ctx, 'break-glass', values.as).invokeBreakGlass({ actionId, justification });
    return printBreakGlass(ctx, actionId, 'glass broken', response);
  },
};

const reviewOptions = {
  as,
  verdict: { type: 'string', value: 'justified|unjustified', description: 'what the review concluded (required)' },
  comment: { type: 'string', value: '<text>', description: 'what the review found (required)' },
} as const;

export const reviewCommand: Command = {
  name: 'review',
  synopsis: 'review <actionId> --as <human> --verdict justified|unjustified --comment <text>',
  summary: 'record the mandatory review of a break-glass approval',
  description:
    'Calls ReviewBreakGlass. Any approver of the required groups except the one who broke the glass and the requesting side ' +
    "(the agent's owner, the person it acts for). `pending` lists reviews waiting for you.",
  options: reviewOptions,
  async run(args, ctx) {
    const { values, positionals } = parseCommandArgs('review', args, reviewOptions);
    const [actionId] = expectPositionals('review', positionals, ['actionId']);
    const verdict = required('review', 'verdict', values.verdict).toUpperCase();
    if (verdict !== 'JUSTIFIED' && verdict !== 'UNJUSTIFIED') throw new UsageError(`review: --verdict must be justified or unjustified (got "${values.verdict}")`);
    const comment = required('review', 'comment', values.comment);
    const response = await connectAs(ctx, 'review', values.as).reviewBreakGlass({ actionId, verdict, comment });
    return printBreakGlass(ctx, actionId, `reviewed as ${verdict.toLowerCase()}`, response);
  },
};

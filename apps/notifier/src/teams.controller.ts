import { Body, Controller, HttpCode, Inject, Optional, Post, Req } from '@nestjs/common';
import type { PendingApproval } from '@approvals/application';
import { ChannelVotes, NotifierService, isActionId } from '@approvals/application';
import type { BotFrameworkAuthenticator } from '@approvals/channels-teams';
import { TEAMS_APPROVE_VERB, TEAMS_DENY_VERB, approvalCard } from '@approvals/channels-teams';
import { type RawRequest, clientAddress, header, problem } from './http';
import { describeVoteReply } from './vote-reply';

export const TEAMS_AUTH = Symbol('BotFrameworkAuthenticator');


/** The parts of a Bot Framework activity this bot reads (an `adaptiveCard/action` invoke). */
interface Activity {
  type?: string;
  name?: string;
  serviceUrl?: string;
  from?: { id?: string; aadObjectId?: string };
  value?: { action?: { type?: string; verb?: string; data?: { actionId?: unknown; reason?: unknown } } };
}


/**
 * The Teams bot's messaging endpoint. Every activity is authenticated as Bot Framework requires
 * before anything else; an Approve or Deny (`Action.Execute` on the card) from a person the
 * directory maps by their Entra object id becomes a vote, and the invoke response is the card
 * refreshed with the result, which Teams shows in place.
 */
@Controller('teams')
export class TeamsController {
  constructor(
    @Inject(NotifierService) private readonly notifier: NotifierService,
    @Inject(ChannelVotes) private readonly votes: ChannelVotes,
    @Optional() @Inject(TEAMS_AUTH) private readonly auth: BotFrameworkAuthenticator | null,
  ) {}

  @Post('messages')
  @HttpCode(200)
  async messages(@Req() request: RawRequest, @Body() activity: Activity): Promise<unknown> {
    if (!this.auth) throw problem(404, 'Teams is not configured', 'set APPROVALS_TEAMS_APP_ID and APPROVALS_TEAMS_APP_PASSWORD');
    const authorization = header(request, 'authorization');
    const check = await this.auth.verify(authorization, activity?.serviceUrl);
    if (!check.ok) {
      await this.votes.refuse({ channel: 'teams', reason: 'INVALID_TOKEN', detail: check.detail, source: clientAddress(request) });
      throw problem(401, 'request refused', check.detail);
    }
    if (activity.type !== 'invoke' || activity.name !== 'adaptiveCard/action') return {};
    const action = activity.value?.action;
    const actionId = typeof action?.data?.actionId === 'string' ? action.data.actionId : '';
    if (!isActionId(actionId) || (action?.verb !== TEAMS_APPROVE_VERB && action?.verb !== TEAMS_DENY_VERB)) {
      return { statusCode: 400, type: 'application/vnd.microsoft.error', value: { code: 'BadRequest', message: 'unknown card action' } };
    }
    const item = await this.notifier.pendingItem(actionId);
    const outcome = await this.votes.cast(
      { account: 'teams', id: activity.from?.aadObjectId },
      {
        channel: 'teams',
        source: clientAddress(request),
        actionId,
        decision: action.verb === TEAMS_APPROVE_VERB ? 'APPROVE' : 'DENY',
        comment: typeof action.data?.reason === 'string' ? action.data.reason : undefined,
      },
    );
    if (outcome.kind === 'unknown-person') return cardResponse(item, 'Not counted: your Teams account is not mapped to anyone in the approvals directory.');
    if (outcome.kind === 'reason-required') return cardResponse(item, 'A reason is required to deny.');
    const { reply } = outcome;
    const note = describeVoteReply(reply);
    const current = await this.notifier.pendingItem(actionId);
    return cardResponse(current ?? item, note, current ? undefined : reply.ok ? `Decided: ${reply.status}` : undefined);
  }
}

/** The invoke response Universal Actions expect: the card to show in place. */
function cardResponse(item: PendingApproval | undefined, note: string, outcome?: string): unknown {
  if (!item) return { statusCode: 200, type: 'application/vnd.microsoft.activity.message', value: note };
  return { statusCode: 200, type: 'application/vnd.microsoft.card.adaptive', value: approvalCard(item, new Date(), outcome, note) };
}


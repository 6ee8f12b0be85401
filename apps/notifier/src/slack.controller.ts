import { Controller, HttpCode, Inject, Logger, Optional, Post, Req } from '@nestjs/common';

import type { Human, ReplayGuard } from '@approvals/application';
import { ChannelVotes, isActionId } from '@approvals/application';
import type { SlackChannel, SlackRequestRefusal, SlackRequestVerifier } from '@approvals/channels-slack';
import { SLACK_APPROVE_ACTION, SLACK_DENY_ACTION, SLACK_DENY_MODAL } from '@approvals/channels-slack';
import { REPLAY_GUARD, type RawRequest, clientAddress, header, problem } from './http';
import { describeVoteReply, voteCounted } from './vote-reply';

export const SLACK_CHANNEL = Symbol('SlackChannel');
export const SLACK_VERIFIER = Symbol('SlackRequestVerifier');

interface SlackUser {
  id?: string;
}

interface BlockActions {
  type: 'block_actions';
  user?: SlackUser;
  trigger_id?: string;
  response_url?: string;
  actions?: { action_id?: string; value?: string }[];
}

interface ViewSubmission {
  type: 'view_submission';
  user?: SlackUser;
  view?: { callback_id?: string; private_metadata?: string; state?: { values?: Record<string, Record<string, { value?: string | null }>> } };
}


/**
 * Slack's interactivity endpoint: a click on Approve, or the reason typed into the Deny modal.
 * The request is trusted only after its signature checks out (signed within five minutes, each
 * request once); the Slack user must map to a person of the directory; then it is a vote like
 * any other, judged by the decision service (I1, I2). Refused callbacks are recorded.
 */
@Controller('slack')
export class SlackController {
  private readonly logger = new Logger('SlackController');

  constructor(
    @Inject(ChannelVotes) private readonly votes: ChannelVotes,
    @Optional() @Inject(SLACK_CHANNEL) private readonly slack: SlackChannel | null,
    @Optional() @Inject(SLACK_VERIFIER) private readonly verifier: SlackRequestVerifier | null,
    @Inject(REPLAY_GUARD) private readonly replays: ReplayGuard,
  ) {}

  @Post('interactivity')
  @HttpCode(200)
  async interactivity(@Req() request: RawRequest): Promise<unknown> {
    if (!this.slack || !this.verifier) throw problem(404, 'Slack is not configured', 'set APPROVALS_SLACK_BOT_TOKEN and APPROVALS_SLACK_SIGNING_SECRET');
    const raw = request.rawBody ?? Buffer.alloc(0);
    const check = this.verifier.verify(
      { signature: header(request, 'x-slack-signature'), timestamp: header(request, 'x-slack-request-timestamp') },
      raw,
    );
    const source = clientAddress(request);
    if (!check.ok) {
      await this.recordRefusal(source, check.reason, check.detail, raw);
      throw problem(401, 'request refused', check.detail);
    }
    // Once, across every notifier replica: the guard is in the shared store.
    if (!(await this.replays.firstUse(`slack:${check.replayKey}`, check.keepUntil))) {
      const detail = 'this signed request was already accepted';
      await this.recordRefusal(source, 'REPLAYED', detail, raw);
      throw problem(401, 'request refused', detail);
    }
    const payload = parsePayload(raw);
    if (!payload) throw problem(400, 'bad request', 'the body must be application/x-www-form-urlencoded with a JSON payload');

    if (payload.type === 'block_actions') return this.onClick(source, payload);
    if (payload.type === 'view_submission' && payload.view?.callback_id === SLACK_DENY_MODAL) return this.onDenyReason(source, payload);
    return {};
  }

  private identify(payload: BlockActions | ViewSubmission, source: string, actionId: string): Promise<Human | { unknown: string }> {
    return this.votes.identify({ account: 'slack', id: payload.user?.id ?? '' }, { channel: 'slack', source, actionId });
  }

  private async onClick(source: string, payload: BlockActions): Promise<unknown> {
    const action = payload.actions?.[0];
    const actionId = action?.value ?? '';
    if (!isActionId(actionId)) return {};
    const human = await this.identify(payload, source, actionId);
    if ('unknown' in human) {
      await this.tell(payload.response_url, 'Your click was not counted: your Slack account is not mapped to anyone in the approvals directory.');
      return {};
    }
    if (action?.action_id === SLACK_DENY_ACTION) {
      try {
        if (payload.trigger_id) await this.slack!.askDenyReason(payload.trigger_id, actionId);
      } catch (error) {
        this.logger.warn(`could not open the deny modal: ${(error as Error).message}`);
        await this.tell(payload.response_url, 'The deny form could not be opened; please try again.');
      }
      return {};
    }
    if (action?.action_id !== SLACK_APPROVE_ACTION) return {};
    const outcome = await this.votes.castBy(human, { channel: 'slack', source, actionId, decision: 'APPROVE' });
    if (outcome.kind === 'cast') await this.tell(payload.response_url, describeVoteReply(outcome.reply));
    return {};
  }

  private async onDenyReason(source: string, payload: ViewSubmission): Promise<unknown> {
    const actionId = payload.view?.private_metadata ?? '';
    const reason = payload.view?.state?.values?.['reason']?.['reason']?.value ?? '';
    if (!isActionId(actionId)) return {};
    const human = await this.identify(payload, source, actionId);
    if ('unknown' in human) return { response_action: 'errors', errors: { reason: 'Your Slack account is not mapped to anyone in the approvals directory.' } };
    const outcome = await this.votes.castBy(human, { channel: 'slack', source, actionId, decision: 'DENY', comment: reason });
    if (outcome.kind === 'reason-required') return { response_action: 'errors', errors: { reason: 'A reason is required to deny.' } };
    if (outcome.kind !== 'cast' || voteCounted(outcome.reply)) return {};
    return { response_action: 'errors', errors: { reason: describeVoteReply(outcome.reply).slice(0, 150) } };
  }

  private async tell(responseUrl: string | undefined, text: string): Promise<void> {
    if (!responseUrl) return;
    try {
      await this.slack!.reply(responseUrl, text);
    } catch (error) {
      this.logger.warn(`could not answer the Slack user: ${(error as Error).message}`);
    }
  }

  private async recordRefusal(source: string, reason: SlackRequestRefusal, detail: string, raw: Buffer): Promise<void> {
    await this.votes.refuse({ channel: 'slack', reason, detail, source }, claimedActionId(raw));
  }
}


function parsePayload(raw: Buffer): BlockActions | ViewSubmission | undefined {
  try {
    const payload = new URLSearchParams(raw.toString('utf8')).get('payload');
    if (!payload) return undefined;
    const parsed = JSON.parse(payload) as { type?: unknown };
    return parsed.type === 'block_actions' || parsed.type === 'view_submission' ? (parsed as BlockActions | ViewSubmission) : undefined;
  } catch {
    return undefined;
  }
}

function claimedActionId(raw: Buffer): { claimedActionId?: string } {
  let text = raw.toString('utf8').slice(0, 20_000);
  try {
    text = decodeURIComponent(text.replace(/\+/g, ' '));
  } catch {
    // A malformed encoding is looked at as it came.
  }
  const match = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/.exec(text);
  return match ? { claimedActionId: match[0] } : {};
}



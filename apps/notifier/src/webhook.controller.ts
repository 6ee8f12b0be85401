import { isUtf8 } from 'node:buffer';
import { Controller, HttpCode, Inject, Optional, Param, Post, Req } from '@nestjs/common';
import type { ReplayGuard } from '@approvals/application';
import { ACTION_ID_PATTERN, ChannelVotes } from '@approvals/application';
import type { WebhookChannel } from '@approvals/channels-webhook';
import { z } from 'zod';
import { REPLAY_GUARD, type RawRequest, clientAddress, header, problem } from './http';

export const WEBHOOK_CHANNEL = Symbol('WebhookChannel');


const voteSchema = z.strictObject({
  actionId: z.string().regex(ACTION_ID_PATTERN, { error: 'actionId must be an action id' }),
  approver: z.string().min(1).max(200).refine((text) => text.isWellFormed(), 'must be valid Unicode (no lone surrogates)'),
  decision: z.enum(['APPROVE', 'DENY'], { error: 'decision must be APPROVE or DENY' }),
  comment: z.string().max(2000).refine((text) => text.isWellFormed(), 'must be valid Unicode (no lone surrogates)').optional(),
});

/** Each webhook id is accepted once within the signature's five-minute window. */
const REPLAY_WINDOW_MS = 5 * 60_000;

/**
 * Votes from another system, signed as Standard Webhooks with the endpoint's secret (the same one
 * our deliveries to it are signed with): `POST /webhooks/<name>/votes`. The signature, a timestamp
 * within five minutes and a webhook id not seen before authenticate the system; the approver it
 * names must be a person of the directory, and the vote is then judged like any other (I1, I2).
 */
@Controller('webhooks')
export class WebhookController {

  constructor(
    @Inject(ChannelVotes) private readonly votes: ChannelVotes,
    @Optional() @Inject(WEBHOOK_CHANNEL) private readonly webhooks: WebhookChannel | null,
    @Inject(REPLAY_GUARD) private readonly replays: ReplayGuard,
  ) {}

  @Post(':name/votes')
  @HttpCode(200)
  async vote(@Param('name') name: string, @Req() request: RawRequest): Promise<unknown> {
    const target = this.webhooks?.endpoint(name);
    if (!target) throw problem(404, 'unknown webhook', `no webhook named "${name.slice(0, 64)}" is configured`);
    const raw = request.rawBody ?? Buffer.alloc(0);
    const headers = {
      'webhook-id': header(request, 'webhook-id'),
      'webhook-timestamp': header(request, 'webhook-timestamp'),
      'webhook-signature': header(request, 'webhook-signature'),
    };
    try {
      target.signer.verify(raw, headers as Record<string, string>);
    } catch (error) {
      await this.votes.refuse({ channel: `webhook:${name}`, reason: 'INVALID_SIGNATURE', detail: (error as Error).message, source: clientAddress(request) });
      throw problem(401, 'request refused', `the webhook signature does not verify: ${(error as Error).message}`);
    }
    const id = headers['webhook-id']!;
    // Once, across every notifier replica: the guard is in the shared store.
    if (!(await this.replays.firstUse(`webhook:${name}:${id}`, new Date(Date.now() + REPLAY_WINDOW_MS)))) {
      await this.votes.refuse({ channel: `webhook:${name}`, reason: 'REPLAYED', detail: `webhook id ${id.slice(0, 100)} was already accepted`, source: clientAddress(request) });
      throw problem(401, 'request refused', 'this webhook id was already accepted');
    }

    if (!isUtf8(raw)) throw problem(400, 'bad request', 'the body must be UTF-8');
    let body: unknown;
    try {
      body = JSON.parse(raw.toString('utf8'));
    } catch {
      throw problem(400, 'bad request', 'the body must be JSON');
    }
    const vote = voteSchema.safeParse(body);
    if (!vote.success) throw problem(400, 'bad request', vote.error.issues.map((issue) => `${issue.path.join('.') || '(body)'}: ${issue.message}`).join('; '));
    const outcome = await this.votes.cast(
      { person: vote.data.approver },
      { channel: `webhook:${name}`, source: clientAddress(request), actionId: vote.data.actionId, decision: vote.data.decision, comment: vote.data.comment },
    );
    if (outcome.kind === 'unknown-person') throw problem(403, 'unknown approver', `${vote.data.approver} is not a person of the directory`);
    if (outcome.kind === 'reason-required') throw problem(400, 'bad request', 'comment: a reason is required when denying');
    const { reply } = outcome;
    if (!reply.ok) throw problem(reply.code === 'NOT_FOUND' ? 404 : 409, 'vote not recorded', reply.message);
    return { accepted: !reply.rejection, rejectionReason: reply.rejection?.reason ?? '', detail: reply.rejection?.detail ?? '', status: reply.status };
  }
}

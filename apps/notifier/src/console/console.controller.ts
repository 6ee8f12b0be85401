import { Body, Controller, Get, Inject, Logger, Param, Post, Query, Req, Res } from '@nestjs/common';
import type { ActionStatus } from '@approvals/contracts';
import type { Directory, EventStore } from '@approvals/application';
import { AuditQueries, ChannelVotes, NotifierService, describeActor, isActionId, loadAction, summarizeEvent } from '@approvals/application';
import type { AppConfig } from '@approvals/config';
import { CONFIG, DIRECTORY, EVENT_STORE } from '@approvals/nest-platform';
import { actionPage, auditPage, historyPage, inboxPage, messagePage, signInPage } from './console-pages';
import { ConsoleOidc, type PendingSignIn } from './console-oidc';
import { ConsoleSessions, SESSION_COOKIE, parseCookies } from './console-session';
import { describeVoteReply, voteCounted } from '../vote-reply';
import { clientAddress } from '../http';

const OIDC_COOKIE = 'approvals_oidc';
/** The audit read model's queries, for the history and audit pages. */
export const CONSOLE_QUERIES = Symbol('ConsoleAuditQueries');

interface Request {
  headers: Record<string, string | string[] | undefined>;
  originalUrl?: string | undefined;
}

/** The part of the HTTP response the console writes (Express's, under NestJS). */
interface Response {
  status(code: number): Response;
  setHeader(name: string, value: string | string[]): void;
  send(body: string): void;
  redirect(status: number, url: string): void;
}


/**
 * The web console for approvers: sign in, "waiting for me", a request with its full context, the
 * policy's explanation and the timeline, and approve / deny with a comment. A vote here is a vote
 * through the channel `console`, judged by the decision service like any other (I1, I2). Forms
 * carry an anti-forgery token bound to the session.
 */
@Controller('console')
export class ConsoleController {
  private readonly sessions: ConsoleSessions;
  private readonly oidc: ConsoleOidc | undefined;
  private readonly logger = new Logger('ConsoleController');

  constructor(
    @Inject(NotifierService) private readonly notifier: NotifierService,
    @Inject(DIRECTORY) private readonly directory: Directory,
    @Inject(EVENT_STORE) private readonly ledger: EventStore,
    @Inject(CONFIG) private readonly config: AppConfig,
    @Inject(CONSOLE_QUERIES) private readonly queries: AuditQueries,
    @Inject(ChannelVotes) private readonly votes: ChannelVotes,
  ) {
    this.sessions = new ConsoleSessions(config.consoleSecret);
    this.oidc = config.consoleOidc ? new ConsoleOidc(config.consoleOidc) : undefined;
  }

  /** Development sign-in exists only where the demo's API keys are accepted (the embedded demo), and never beside OpenID Connect. */
  private get devSignIn(): boolean {
    return this.config.auth.apiKeys && !this.config.consoleOidc;
  }

  @Get()
  async inbox(@Req() request: Request, @Res() response: Response): Promise<void> {
    const who = this.who(request);
    if (!who) return response.redirect(303, '/console/sign-in');
    html(response, 200, inboxPage(who, await this.notifier.listPending(100, who.humanId)));
  }

  @Get('sign-in')
  async signInForm(@Res() response: Response): Promise<void> {
    if (!this.oidc) return html(response, this.devSignIn ? 200 : 503, signInPage(this.directory.humans(), this.devSignIn));
    try {
      const { url, pending } = await this.oidc.start();
      response.setHeader('Set-Cookie', `${OIDC_COOKIE}=${this.sessions.seal('oidc', pending)}; Path=/console; HttpOnly; SameSite=Lax; Max-Age=600`);
      response.redirect(303, url);
    } catch (error) {
      this.logger.warn(`OpenID Connect discovery failed: ${(error as Error).message}`);
      html(response, 503, messagePage('Sign-in unavailable', 'The identity provider cannot be reached right now; try again shortly.'));
    }
  }

  /** The identity provider sends the browser back here with a code, exchanged (with PKCE) for a checked ID token. */
  @Get('callback')
  async callback(@Req() request: Request, @Res() response: Response): Promise<void> {
    if (!this.oidc) return html(response, 404, messagePage('Not found', 'OpenID Connect sign-in is not configured.'));
    const cookies = parseCookies(typeof request.headers['cookie'] === 'string' ? request.headers['cookie'] : undefined);
    const pending = this.sessions.unseal<PendingSignIn>('oidc', cookies[OIDC_COOKIE]);
    if (!pending) return html(response, 400, messagePage('Sign-in failed', 'The sign-in took too long or did not start here; please sign in again.'));
    let claim: string;
    try {
      claim = await this.oidc.finish(new URL(request.originalUrl ?? '/console/callback', this.oidc.options.consoleUrl), pending);
    } catch (error) {
      this.logger.warn(`OpenID Connect sign-in refused: ${(error as Error).message}`);
      return html(response, 401, messagePage('Sign-in failed', 'The identity provider did not confirm who you are.'));
    }
    const human = this.oidc.options.claim === 'email' ? this.directory.humans().find((h) => h.email?.toLowerCase() === claim.toLowerCase()) : this.directory.findHuman(claim);
    if (!human) return html(response, 403, messagePage('Not an approver', `${claim} is not a person of the approvals directory.`));
    response.setHeader('Set-Cookie', [
      `${SESSION_COOKIE}=${this.sessions.issue(human.id)}; Path=/console; HttpOnly; SameSite=Lax; Max-Age=28800${this.secure()}`,
      `${OIDC_COOKIE}=; Path=/console; HttpOnly; SameSite=Lax; Max-Age=0`,
    ]);
    response.redirect(303, '/console');
  }

  /** Cookies are Secure when the console is served over https. */
  private secure(): string {
    return this.oidc?.options.consoleUrl.startsWith('https://') ? '; Secure' : '';
  }

  @Post('sign-in')
  signIn(@Body() body: Record<string, unknown>, @Res() response: Response): void {
    if (!this.devSignIn) return html(response, 403, signInPage([], false));
    const human = typeof body?.['human'] === 'string' ? this.directory.findHuman(body['human']) : undefined;
    if (!human) return html(response, 400, signInPage(this.directory.humans(), true, 'Pick a person of the directory.'));
    response.setHeader('Set-Cookie', `${SESSION_COOKIE}=${this.sessions.issue(human.id)}; Path=/console; HttpOnly; SameSite=Lax; Max-Age=28800`);
    response.redirect(303, '/console');
  }

  @Post('sign-out')
  signOut(@Req() request: Request, @Body() body: Record<string, unknown>, @Res() response: Response): void {
    const who = this.who(request);
    if (who && !this.sessions.checkCsrf(who.session, body?.['csrf'])) return html(response, 403, messagePage('Refused', 'The form was not sent from this console.'));
    response.setHeader('Set-Cookie', `${SESSION_COOKIE}=; Path=/console; HttpOnly; SameSite=Lax; Max-Age=0`);
    response.redirect(303, '/console/sign-in');
  }

  @Get('history')
  async history(@Req() request: Request, @Res() response: Response): Promise<void> {
    const who = this.who(request);
    if (!who) return response.redirect(303, '/console/sign-in');
    const found = await this.queries.searchActions({ approverId: who.humanId, limit: 100 });
    html(response, 200, historyPage(who, found.ok ? found.value.items : []));
  }

  @Get('audit')
  async audit(@Req() request: Request, @Query() query: Record<string, unknown>, @Res() response: Response): Promise<void> {
    const who = this.who(request);
    if (!who) return response.redirect(303, '/console/sign-in');
    const text = (name: string, max: number) => (typeof query[name] === 'string' ? (query[name] as string).trim().slice(0, max) : '');
    const filters = { agent: text('agent', 200), action: text('action', 100), status: text('status', 30) };
    const found = await this.queries.searchActions({
      limit: 100,
      ...(filters.agent ? { agentId: filters.agent } : {}),
      ...(filters.action ? { action: filters.action } : {}),
      ...(filters.status ? { status: filters.status as ActionStatus } : {}),
    });
    html(response, found.ok ? 200 : 400, auditPage(who, filters, found.ok ? found.value.items : [], found.ok ? undefined : found.error.message));
  }

  @Get('actions/:actionId')
  async action(@Param('actionId') actionId: string, @Req() request: Request, @Res() response: Response): Promise<void> {
    const who = this.who(request);
    if (!who) return response.redirect(303, '/console/sign-in');
    await this.renderAction(response, who, actionId);
  }

  @Post('actions/:actionId/vote')
  async vote(@Param('actionId') actionId: string, @Req() request: Request, @Body() body: Record<string, unknown>, @Res() response: Response): Promise<void> {
    const who = this.who(request);
    if (!who) return response.redirect(303, '/console/sign-in');
    if (!this.sessions.checkCsrf(who.session, body?.['csrf'])) return html(response, 403, messagePage('Refused', 'The form was not sent from this console.', who));
    const decision = body?.['decision'];
    const comment = typeof body?.['comment'] === 'string' ? body['comment'] : undefined;
    if (!isActionId(actionId) || (decision !== 'APPROVE' && decision !== 'DENY')) {
      return html(response, 400, messagePage('Not understood', 'The decision must be Approve or Deny.', who));
    }
    const outcome = await this.votes.cast({ person: who.humanId }, { channel: 'console', source: clientAddress(request), actionId, decision, comment });
    if (outcome.kind === 'reason-required') return this.renderAction(response, who, actionId, { ok: false, text: 'A comment is required to deny.' }, 400);
    if (outcome.kind === 'unknown-person') return response.redirect(303, '/console/sign-in');
    const counted = voteCounted(outcome.reply);
    await this.renderAction(response, who, actionId, { ok: counted, text: describeVoteReply(outcome.reply) }, counted ? 200 : 409);
  }

  private async renderAction(response: Response, who: { humanId: string; csrf: string }, actionId: string, message?: { ok: boolean; text: string }, status = 200): Promise<void> {
    if (!isActionId(actionId)) return html(response, 404, messagePage('Not found', 'There is no such action.', who));
    const { state, events } = await loadAction(this.ledger, actionId);
    if (state.status === 'none') return html(response, 404, messagePage('Not found', 'There is no such action.', who));
    const pending = await this.notifier.pendingItem(actionId, who.humanId);
    const canVote = state.status === 'awaiting_approval' && pending !== undefined && pending.kind !== 'BREAK_GLASS_REVIEW';
    const timeline = events.map((event) => ({
      at: event.metadata.occurredAt,
      type: event.type,
      actor: describeActor(event.metadata.actor),
      summary: summarizeEvent(event).replace(/^[A-Za-z]+: /, ''),
    }));
    html(response, status, actionPage(who, state, timeline, canVote, message));
  }

  private who(request: Request): { humanId: string; csrf: string; session: string } | undefined {
    const cookie = typeof request.headers['cookie'] === 'string' ? request.headers['cookie'] : undefined;
    const session = this.sessions.read(cookie);
    if (!session || !this.directory.findHuman(session.humanId)) return undefined;
    return { humanId: session.humanId, session: session.session, csrf: this.sessions.csrfToken(session.session) };
  }
}

function html(response: Response, status: number, body: string): void {
  response.setHeader('Content-Type', 'text/html; charset=utf-8');
  response.setHeader('Content-Security-Policy', "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'");
  response.setHeader('X-Content-Type-Options', 'nosniff');
  response.setHeader('Referrer-Policy', 'no-referrer');
  response.setHeader('Cache-Control', 'no-store');
  response.status(status).send(body);
}

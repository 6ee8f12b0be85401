import type { ActionView__Output, RequestActionRequest__Output } from '@approvals/contracts';
import { Commands } from '@approvals/contracts';
import type { ApprovalEvent, ApprovalState } from '@approvals/domain';
import { evolve, toActionStreamId } from '@approvals/domain';
import { actionIdFor } from '../ids';
import { canonicalJson, sha256Hex } from '../ledger/event-hash';
import type { LedgerIntegrity } from '../ledger/ledger-log';
import { describeFinding } from '../ledger/ledger-log';
import { loadAction, toDomainEvent, toDomainEventOrSkip } from '../ledger/approval-stream';
import type { Clock, IdGenerator } from '../ports/clock.port';
import type { Directory } from '../ports/directory.port';
import type { EventStore } from '../ports/event-store.port';
import type { CommandSender } from '../ports/messaging.port';
import type { ActionUpdates } from './action-updates';
import { isStatusEvent } from './action-updates';
import { toActionView } from './action-view';
import { apiErrorOf, type ApiError, type ApiResult } from '../errors';
import { type TraceContext, traceFields } from '../trace-context';
import { validateActionRequest } from './request-validation';

/** The intake: validates and normalises agents' requests and answers questions about them. */
export class IntakeService {
  constructor(
    private readonly ledger: EventStore,
    private readonly commands: CommandSender,
    private readonly updates: ActionUpdates,
    private readonly directory: Directory,
    private readonly clock: Clock,
    private readonly ids: IdGenerator,
    /** Checks a stream against the ledger log before it is shown (I8); without it, streams are trusted. */
    private readonly integrity?: LedgerIntegrity | undefined,
  ) {}

  async requestAction(
    agentId: string,
    input: RequestActionRequest__Output,
    trace: TraceContext = {},
  ): Promise<ApiResult<{ actionId: string; status: string; created: boolean }>> {
    const validated = validateActionRequest(agentId, input, (id) => this.directory.findHuman(id) !== undefined);
    if (!validated.ok) {
      const message = validated.violations.map((v) => `${v.field}: ${v.description}`).join('; ');
      return { ok: false, error: { code: 'INVALID_ARGUMENT', message, violations: validated.violations } };
    }
    const request = validated.request;
    const actionId = actionIdFor(agentId, request.idempotencyKey);
    const agentOwner = this.directory.findAgent(agentId)?.owner;
    const reply = await this.commands.send(Commands.requestAction, {
      type: 'RequestAction',
      data: { actionId, request, requestHash: sha256Hex(canonicalJson(request)), ...(agentOwner ? { agentOwner } : {}) },
      metadata: this.metadata(actionId, trace),
    });
    if (!reply.ok) return { ok: false, error: apiErrorOf(reply) };
    return { ok: true, value: { actionId, status: reply.status, created: reply.created ?? false } };
  }

  async getAction(agentId: string, actionId: string): Promise<ApiResult<ActionView__Output>> {
    const { state, revision, inconsistent } = await loadAction(this.ledger, actionId, this.integrity);
    if (!visibleTo(state, agentId)) return notFound(actionId);
    if (inconsistent) {
      return { ok: false, error: { code: 'DATA_LOSS', message: `action ${actionId} cannot be shown: its ledger stream disagrees with the ledger log (${describeFinding(inconsistent)})` } };
    }
    return { ok: true, value: toActionView(state, revision) };
  }

  /**
   * Calls `onView` with the current view and again on every status change; resolves when the
   * action reaches its final outcome or `signal` aborts. Updates only say that the stream moved
   * on: what changed is read from the ledger.
   */
  async watch(
    agentId: string,
    actionId: string,
    onView: (view: ActionView__Output) => void,
    signal?: AbortSignal,
  ): Promise<ApiResult<void>> {
    let wake: () => void = () => undefined;
    let announced = -1;
    /** Announced events with their data, by revision, not folded yet. */
    const arrived = new Map<number, ApprovalEvent>();
    // Listen before reading, so no event falls between the read and the first wake-up.
    const unlisten = this.updates.listen(toActionStreamId(actionId), (update) => {
      announced = Math.max(announced, update.revision);
      // An announced event that does not parse is left to be read from the ledger.
      const event = update.data === undefined ? undefined : toDomainEventOrSkip({ type: update.type, data: update.data });
      if (event) arrived.set(update.revision, event);
      if (isStatusEvent(update.type)) wake();
    });
    try {
      let changed = new Promise<void>((resolve) => (wake = resolve));
      let { state, revision } = await loadAction(this.ledger, actionId);
      if (!visibleTo(state, agentId)) return notFound(actionId);
      let lastStatus = '';
      // One listener for the whole watch, not one per change.
      const aborted = abortPromise(signal);
      for (;;) {
        const view = toActionView(state, revision);
        if (view.status !== lastStatus) {
          lastStatus = view.status;
          onView(view);
        }
        if (isFinal(view.status) || signal?.aborted) return { ok: true, value: undefined };
        await Promise.race([changed, aborted]);
        if (signal?.aborted) return { ok: true, value: undefined };
        // The events of one append are announced back to back: read the ledger once after all of them.
        await new Promise((resolve) => setImmediate(resolve));
        changed = new Promise<void>((resolve) => (wake = resolve));
        ({ state, revision } = await this.advance(actionId, state, revision, announced, arrived));
      }
    } finally {
      unlisten();
    }
  }

  /**
   * Folds the events after `revision` onto the state: first those that arrived with their updates,
   * as far as they follow on; then, if that stops short of the last announced revision, the rest
   * read from the ledger, and the whole stream again if those do not follow on either.
   */
  private async advance(
    actionId: string,
    state: ApprovalState,
    revision: number,
    announced: number,
    arrived: Map<number, ApprovalEvent>,
  ): Promise<{ state: ApprovalState; revision: number }> {
    let next = state;
    let at = revision;
    for (let event = arrived.get(at + 1); event !== undefined; event = arrived.get(at + 1)) {
      next = evolve(next, event);
      at += 1;
    }
    for (const seen of arrived.keys()) if (seen <= at) arrived.delete(seen);
    // An approval is appended together with its grant, but the bus may announce them apart: an
    // approval without its grant is never the final view, the grant is in the ledger already.
    const grantPending = next.status === 'final' && next.outcome === 'APPROVED' && !next.grant;
    if (at >= announced && !grantPending) return { state: next, revision: at };
    const events = await this.ledger.readStream(toActionStreamId(actionId), { fromRevision: at + 1 });
    for (const event of events) {
      if (event.revision !== at + 1) return loadAction(this.ledger, actionId);
      const recorded = toDomainEvent(event);
      if (recorded) next = evolve(next, recorded);
      at = event.revision;
    }
    return at < announced ? loadAction(this.ledger, actionId) : { state: next, revision: at };
  }

  async awaitDecision(
    agentId: string,
    actionId: string,
    timeoutMs: number,
  ): Promise<ApiResult<{ decided: boolean; action: ActionView__Output }>> {
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), Math.max(0, timeoutMs));
    let last: ActionView__Output | undefined;
    try {
      const watched = await this.watch(agentId, actionId, (view) => (last = view), controller.signal);
      if (!watched.ok) return watched;
    } finally {
      clearTimeout(timer);
    }
    if (!last) return notFound(actionId);
    if (isFinal(last.status)) return { ok: true, value: { decided: true, action: last } };
    // Timed out: answer with the action as it is now (votes may have come in since the last status change).
    const now = await this.getAction(agentId, actionId);
    if (!now.ok) return now;
    return { ok: true, value: { decided: isFinal(now.value.status), action: now.value } };
  }

  async cancel(agentId: string, actionId: string, reason: string, trace: TraceContext = {}): Promise<ApiResult<ActionView__Output>> {
    const visible = await this.getAction(agentId, actionId);
    if (!visible.ok) return visible;
    const reply = await this.commands.send(Commands.cancelAction, {
      type: 'CancelAction',
      data: { actionId, agentId, reason: reason.trim() || 'cancelled by the agent' },
      metadata: this.metadata(actionId, trace),
    });
    if (!reply.ok) return { ok: false, error: apiErrorOf(reply) };
    return this.getAction(agentId, actionId);
  }

  async reportExecution(
    agentId: string,
    input: { actionId: string; grantId: string; status: 'SUCCEEDED' | 'FAILED'; detail: string },
    trace: TraceContext = {},
  ): Promise<ApiResult<ActionView__Output>> {
    const visible = await this.getAction(agentId, input.actionId);
    if (!visible.ok) return visible;
    const reply = await this.commands.send(Commands.reportExecution, {
      type: 'ReportExecution',
      data: { ...input, agentId },
      metadata: this.metadata(input.actionId, trace),
    });
    if (!reply.ok) return { ok: false, error: apiErrorOf(reply) };
    return this.getAction(agentId, input.actionId);
  }

  /**
   * Sends a grant to the decision service, which verifies and consumes it. The action id the token
   * claims (unverified) only routes the command to its action; the decision service trusts nothing
   * it has not verified.
   */
  async redeemGrant(
    agentId: string,
    input: { token: string; requestHash: string },
    trace: TraceContext = {},
  ): Promise<ApiResult<{ redeemed: boolean; rejectionReason: string; detail: string; actionId: string }>> {
    const actionId = claimedActionId(input.token);
    if (!actionId) return { ok: false, error: { code: 'INVALID_ARGUMENT', message: 'token: is not a grant', violations: [{ field: 'token', description: 'is not a grant (a JWT naming its action)' }] } };
    const reply = await this.commands.send(Commands.redeemGrant, {
      type: 'RedeemGrant',
      data: { actionId, agentId, token: input.token, requestHash: input.requestHash },
      metadata: this.metadata(actionId, trace),
    });
    if (!reply.ok) return { ok: false, error: reply.code === 'NOT_FOUND' ? { code: 'PERMISSION_DENIED', message: 'the grant is not valid: it names no action of yours' } : apiErrorOf(reply) };
    return {
      ok: true,
      value: { redeemed: !reply.rejection, rejectionReason: reply.rejection?.reason ?? '', detail: reply.rejection?.detail ?? '', actionId },
    };
  }

  private metadata(actionId: string, trace: TraceContext) {
    return {
      messageId: this.ids.next(),
      correlationId: actionId,
      occurredAt: this.clock.now().toISOString(),
      ...traceFields(trace),
    };
  }
}

/** An agent sees only its own actions; anything else is reported as not found. */
const visibleTo = (state: ApprovalState, agentId: string): boolean => state.status !== 'none' && state.request.agentId === agentId;
const notFound = (actionId: string): { ok: false; error: ApiError } => ({
  ok: false,
  error: { code: 'NOT_FOUND', message: `action ${actionId} not found` },
});

const finalStatuses = new Set(['APPROVED', 'DENIED', 'EXPIRED', 'CANCELLED']);
export const isFinal = (status: string): boolean => finalStatuses.has(status);

function abortPromise(signal?: AbortSignal): Promise<void> {
  if (!signal) return new Promise(() => undefined);
  if (signal.aborted) return Promise.resolve();
  return new Promise((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
}

/** The action a token says it is for, without trusting it (only to route the command). */
function claimedActionId(token: string): string | undefined {
  const payload = token.split('.')[1];
  if (!payload) return undefined;
  try {
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as { act?: unknown };
    return typeof claims.act === 'string' && claims.act !== '' ? claims.act : undefined;
  } catch {
    return undefined;
  }
}

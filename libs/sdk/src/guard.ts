import { randomUUID } from 'node:crypto';
import type { JSONWebKeySet } from 'jose';
import type { Approvals } from './approvals';
import { ApprovalsError } from './errors';
import { GrantCheckError, claimedBy, verifyGrant } from './grants';
import { requestHashOf, requestOfView } from './request-hash';
import type { ActionRequest, ActionView } from './types';
import { isFinal } from './types';

/** What `run` receives: the approved request, exactly as recorded, and the redeemed grant. */
export interface ApprovedAction {
  actionId: string;
  grantId: string;
  /** The approved parameters (the canonical form the grant binds). */
  parameters: Record<string, unknown>;
  view: ActionView;
}

/** Every way `guard` ends without throwing. */
export type GuardOutcome<T> =
  /**
   * Approved, redeemed and run. `reported`: the execution was recorded before `guard` returned;
   * with `reportInBackground`, `reporting` settles once it is (true) or could not be (false).
   */
  | { outcome: 'executed'; value: T; action: ActionView; reported: boolean; reporting?: Promise<boolean> }
  /** Denied by the policy (its reasons) or by an approver (their comments). */
  | { outcome: 'denied'; deniedBy: 'policy' | 'approvers'; reasons: string[]; action: ActionView }
  /** Nobody decided before the approval window closed. */
  | { outcome: 'expired'; action: ActionView }
  /** Withdrawn: by the caller's signal or time limit (`by: 'caller'`), or by someone else before an outcome. */
  | { outcome: 'cancelled'; by: 'caller' | 'elsewhere'; action: ActionView }
  /** Approved, but the grant could not be used: refused at redemption, or failed the local checks. */
  | { outcome: 'grant-refused'; reason: string; detail: string; action: ActionView };

export interface GuardOptions {
  /** Ends the wait: the action is cancelled and the outcome is `cancelled` (by the caller). */
  signal?: AbortSignal | undefined;
  /** Stop waiting after this long (then as with `signal`); default: until the action's own expiry. */
  timeoutMs?: number | undefined;
  /** Called with the action's view on every change while it waits (progress). */
  onUpdate?: ((view: ActionView) => void) | undefined;
  /** The service's published keys: the grant's signature is then checked offline before it is redeemed. */
  jwks?: JSONWebKeySet | undefined;
  /** The detail recorded with a successful execution (default none). */
  describe?: ((value: unknown) => string) | undefined;
  /**
   * Return as soon as `run` has returned, and record the execution meanwhile (`reporting` tells
   * when it is done): one round trip less for callers that wait on the result, such as a gateway.
   */
  reportInBackground?: boolean | undefined;
}

/** How long the first wait for an outcome is a single AwaitDecision call (most actions are decided by policy well within it). */
const FIRST_WAIT_MS = 1_000;

/** See `Approvals.guard`. */
export async function guard<T>(
  approvals: Approvals,
  request: ActionRequest,
  run: (approved: ApprovedAction) => Promise<T> | T,
  options: GuardOptions = {},
): Promise<GuardOutcome<T>> {
  const asked = { ...request, idempotencyKey: request.idempotencyKey?.trim() || randomUUID() };
  const { actionId } = await approvals.requestAction(asked, { signal: options.signal });
  return followAction(approvals, actionId, asked, run, options);
}

/**
 * The rest of `guard` for an action already requested (`asked` is the request as sent, with its
 * idempotency key): wait for the outcome, check and redeem the grant, run, report. For callers
 * that pick the idempotency key themselves, e.g. to find an action still waiting after a restart.
 */
export async function followAction<T>(
  approvals: Approvals,
  actionId: string,
  asked: ActionRequest & { idempotencyKey: string },
  run: (approved: ApprovedAction) => Promise<T> | T,
  options: GuardOptions = {},
): Promise<GuardOutcome<T>> {
  const stop = stopSignal(options);
  try {
    let view: ActionView | undefined;
    try {
      // One unary call settles what the policy decides at once; only a wait for people needs the stream.
      const first = await approvals.awaitDecision(actionId, { timeoutMs: FIRST_WAIT_MS, signal: stop.signal });
      view = first.action;
      notify(options, view);
      if (!first.decided) {
        for await (const update of approvals.watch(actionId, { signal: stop.signal })) {
          if (update.revision === view.revision) continue;
          view = update;
          notify(options, update);
        }
      }
    } catch (error) {
      if (!stop.signal.aborted) throw error;
    }
    if (stop.signal.aborted || !view || !isFinal(view.status)) return { outcome: 'cancelled', by: 'caller', action: await withdraw(approvals, actionId) };
    return await decided(approvals, asked, view, run, options);
  } finally {
    stop.dispose();
  }
}

async function decided<T>(
  approvals: Approvals,
  asked: ActionRequest & { idempotencyKey: string },
  view: ActionView,
  run: (approved: ApprovedAction) => Promise<T> | T,
  options: GuardOptions,
): Promise<GuardOutcome<T>> {
  switch (view.status) {
    case 'DENIED': {
      const byApprovers = (view.approval?.votes ?? []).some((vote) => vote.decision === 'DENY');
      const reasons = byApprovers
        ? view.approval!.votes.filter((vote) => vote.decision === 'DENY').map((vote) => `${vote.approverId}: ${vote.comment}`)
        : (view.evaluation?.reasons.length ? view.evaluation.reasons : [view.reason].filter(Boolean));
      return { outcome: 'denied', deniedBy: byApprovers ? 'approvers' : 'policy', reasons, action: view };
    }
    case 'EXPIRED':
      return { outcome: 'expired', action: view };
    case 'APPROVED':
      break;
    default:
      return { outcome: 'cancelled', by: 'elsewhere', action: view };
  }
  const refused = (reason: string, detail: string): GuardOutcome<T> => ({ outcome: 'grant-refused', reason, detail, action: view });
  const grant = view.grant;
  if (!grant?.token) return refused('NOT_APPROVED', 'the approved action carries no grant');
  if (grant.revokedAt) return refused('REVOKED', `the grant was revoked at ${grant.revokedAt}`);
  // What runs must be what was asked, what was recorded, and what the grant binds.
  const hash = requestHashOf(view.agentId, asked);
  const recorded = requestHashOf(view.agentId, requestOfView(view));
  if (hash !== view.requestHash || recorded !== view.requestHash || claimedBy(grant.token)?.requestHash !== hash) {
    return refused('PARAMETERS_MISMATCH', `the approved request (hash ${view.requestHash}) is not the request asked for (hash ${hash})`);
  }
  if (options.jwks) {
    try {
      await verifyGrant(grant.token, { jwks: options.jwks, agentId: view.agentId, requestHash: hash });
    } catch (error) {
      if (error instanceof GrantCheckError) return refused(error.reason === 'INVALID' ? 'INVALID_SIGNATURE' : error.reason, error.message);
      throw error;
    }
  }
  // A caller that stopped waiting in the meantime gets nothing run: its grant is withdrawn unused.
  if (options.signal?.aborted) return { outcome: 'cancelled', by: 'caller', action: await withdraw(approvals, view.actionId) };
  const redemption = await approvals.redeemGrant(grant.token, hash);
  if (!redemption.redeemed) return refused(redemption.reason, redemption.detail);

  const approved: ApprovedAction = { actionId: view.actionId, grantId: grant.grantId, parameters: requestOfView(view).parameters ?? {}, view };
  let value: T;
  try {
    value = await run(approved);
  } catch (error) {
    await approvals.reportExecution(view.actionId, grant.grantId, 'FAILED', error instanceof Error ? error.message : String(error)).catch(() => undefined);
    throw error;
  }
  const report = approvals.reportExecution(view.actionId, grant.grantId, 'SUCCEEDED', describeSafely(options, value));
  if (options.reportInBackground) {
    return { outcome: 'executed', value, action: view, reported: false, reporting: report.then(() => true, () => false) };
  }
  try {
    return { outcome: 'executed', value, action: await report, reported: true };
  } catch (error) {
    if (!(error instanceof ApprovalsError)) throw error;
    return { outcome: 'executed', value, action: view, reported: false };
  }
}

/** The caller's progress callback; its failure must not end the wait. */
function notify(options: GuardOptions, view: ActionView): void {
  try {
    options.onUpdate?.(view);
  } catch {
    // a progress display that fails changes nothing about the action
  }
}

/** The caller's description of a result; the execution is reported even if it fails. */
function describeSafely(options: GuardOptions, value: unknown): string {
  try {
    return options.describe?.(value) ?? '';
  } catch {
    return '';
  }
}

/** Cancels an action the caller stopped waiting for; when it was decided meanwhile, its view as it is. */
async function withdraw(approvals: Approvals, actionId: string): Promise<ActionView> {
  const bounded = { signal: AbortSignal.timeout(10_000) };
  try {
    return await approvals.cancel(actionId, 'the agent stopped waiting', bounded);
  } catch (error) {
    if (error instanceof ApprovalsError && error.code === 'FAILED_PRECONDITION') return approvals.getAction(actionId, bounded);
    throw error;
  }
}

/** One signal for the caller's signal and the time limit. */
function stopSignal(options: GuardOptions): { signal: AbortSignal; dispose(): void } {
  const controller = new AbortController();
  const abort = () => controller.abort(options.signal?.reason ?? new Error('guard: the time limit passed'));
  options.signal?.addEventListener('abort', abort, { once: true });
  if (options.signal?.aborted) abort();
  const timer = options.timeoutMs === undefined ? undefined : setTimeout(abort, options.timeoutMs);
  timer?.unref?.();
  return {
    signal: controller.signal,
    dispose: () => {
      clearTimeout(timer);
      options.signal?.removeEventListener('abort', abort);
    },
  };
}

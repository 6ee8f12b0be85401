import * as grpc from '@grpc/grpc-js';
import { randomUUID } from 'node:crypto';
import type { RetryOptions } from './errors';
import { ApprovalsError, sleep, toApprovalsError, withRetries } from './errors';
import type { GuardOptions, GuardOutcome, ApprovedAction } from './guard';
import { followAction, guard } from './guard';
import type { ActionRequest, ActionStatus, ActionView, GrantRejection } from './types';
import { isFinal } from './types';
import type { ConnectionOptions, ServiceClients } from './transport';
import { connectServices } from './transport';

export interface ApprovalsOptions extends ConnectionOptions {
  /** How calls are retried while the service is unavailable (same idempotency key; reads). */
  retry?: RetryOptions | undefined;
}

export interface CallOptions {
  /** Abandons the call (and its retries); the promise rejects with the signal's reason. */
  signal?: AbortSignal | undefined;
}

export interface RequestedAction {
  actionId: string;
  status: ActionStatus;
  /** False when an earlier request with the same idempotency key was returned. */
  created: boolean;
  /** The key the request was sent with (generated when the request had none): reuse it to retry. */
  idempotencyKey: string;
}

export interface AwaitOptions extends CallOptions {
  /** How long to wait for the outcome; default: until the action's own expiry. */
  timeoutMs?: number | undefined;
}

export type Redemption =
  | { redeemed: true; actionId: string }
  | { redeemed: false; actionId: string; reason: GrantRejection | string; detail: string };

/** How long one AwaitDecision call waits at most; longer waits are several calls. */
const AWAIT_SLICE_MS = 25_000;
/** Pause before re-opening a watch whose stream broke. */
const WATCH_RETRY_MS = 500;

/**
 * A client of the approvals service for agents and executors: ask before a privileged action,
 * wait for the decision, redeem the execution grant, report how it went; or let `guard` do all of
 * it. One instance per process is enough: it keeps one channel per address and reconnects by itself.
 */
export class Approvals {
  private readonly services: ServiceClients;

  constructor(private readonly options: ApprovalsOptions) {
    this.services = connectServices(options);
  }

  /**
   * Proposes an action. Retried with the same idempotency key while the service is unavailable,
   * so a lost answer never makes a second action. Throws ApprovalsError (e.g. INVALID_ARGUMENT
   * with every field violation) when the request is refused.
   */
  async requestAction(request: ActionRequest, options: CallOptions = {}): Promise<RequestedAction> {
    const idempotencyKey = request.idempotencyKey?.trim() || randomUUID();
    const wire = {
      model: request.model,
      onBehalfOf: request.onBehalfOf ?? '',
      action: request.action,
      resource: request.resource,
      environment: request.environment,
      dataClassification: request.dataClassification ?? '',
      parametersJson: JSON.stringify(request.parameters ?? {}),
      justification: request.justification,
      idempotencyKey,
      runId: request.runId ?? '',
    };
    const response = await this.retrying(
      () => this.unary<{ actionId: string; status: ActionStatus; created: boolean }>('intake', 'RequestAction', wire, options.signal),
      options.signal,
    );
    return { ...response, idempotencyKey };
  }

  getAction(actionId: string, options: CallOptions = {}): Promise<ActionView> {
    return this.retrying(() => this.unary<ActionView>('intake', 'GetAction', { actionId }, options.signal), options.signal);
  }

  /**
   * Waits for the action's final outcome (APPROVED, DENIED, EXPIRED or CANCELLED) and returns its
   * view; `decided` is false when `timeoutMs` passed first. Rides out service restarts.
   */
  async awaitDecision(actionId: string, options: AwaitOptions = {}): Promise<{ decided: boolean; action: ActionView }> {
    const until = options.timeoutMs === undefined ? Number.POSITIVE_INFINITY : Date.now() + options.timeoutMs;
    for (;;) {
      const slice = Math.max(0, Math.min(AWAIT_SLICE_MS, until - Date.now()));
      const answer = await this.retrying(
        () =>
          this.unary<{ decided: boolean; action: ActionView | null }>('intake', 'AwaitDecision', { actionId, timeoutMs: Math.max(1, slice) }, options.signal, slice + 10_000),
        options.signal,
      );
      if (!answer.action) throw new ApprovalsError('INTERNAL', `the service answered no view of action ${actionId}`);
      if (answer.decided || isFinal(answer.action.status) || Date.now() >= until) return { decided: isFinal(answer.action.status), action: answer.action };
    }
  }

  /**
   * The action's view now and after every change, ending after the final outcome. A broken
   * stream is re-opened (views already seen are not repeated); `signal` ends the watch.
   */
  async *watch(actionId: string, options: CallOptions = {}): AsyncGenerator<ActionView, void, undefined> {
    let lastRevision = -1n;
    for (;;) {
      const call = (this.services.intake as unknown as Record<string, (request: object, metadata: grpc.Metadata, options: grpc.CallOptions) => grpc.ClientReadableStream<ActionView>>)[
        'WatchAction'
      ]!.call(this.services.intake, { actionId }, new grpc.Metadata(), {});
      const onAbort = () => call.cancel();
      options.signal?.addEventListener('abort', onAbort, { once: true });
      try {
        for await (const view of call as AsyncIterable<ActionView>) {
          const revision = BigInt(view.revision || '0');
          if (revision <= lastRevision) continue;
          lastRevision = revision;
          yield view;
          if (isFinal(view.status)) return;
        }
        return;
      } catch (raw) {
        if (options.signal?.aborted) throw options.signal.reason;
        const error = toApprovalsError(raw);
        if (!(error instanceof ApprovalsError) || !error.retryable) throw error;
      } finally {
        options.signal?.removeEventListener('abort', onAbort);
        call.cancel();
      }
      await sleep(WATCH_RETRY_MS, options.signal);
    }
  }

  /**
   * Withdraws the action: a pending one ends CANCELLED; an approved one keeps its outcome and its
   * unused grant is revoked. Throws ApprovalsError FAILED_PRECONDITION once it cannot be withdrawn.
   */
  cancel(actionId: string, reason: string, options: CallOptions = {}): Promise<ActionView> {
    return this.retrying(() => this.unary<ActionView>('intake', 'CancelAction', { actionId, reason }, options.signal), options.signal);
  }

  /**
   * Consumes the grant before running the action: only the first redemption, by the agent it was
   * issued to, of exactly the approved request (`requestHash`), before it expires, succeeds.
   * Not retried: an answer lost in transit would turn a success into REPLAYED.
   */
  async redeemGrant(token: string, requestHash: string, options: CallOptions = {}): Promise<Redemption> {
    try {
      const answer = await this.unary<{ redeemed: boolean; rejectionReason: string; detail: string; actionId: string }>(
        'intake',
        'RedeemGrant',
        { token, requestHash },
        options.signal,
      );
      return answer.redeemed
        ? { redeemed: true, actionId: answer.actionId }
        : { redeemed: false, actionId: answer.actionId, reason: answer.rejectionReason, detail: answer.detail };
    } catch (raw) {
      const error = toApprovalsError(raw);
      if (error instanceof ApprovalsError && error.code === 'PERMISSION_DENIED') return { redeemed: false, actionId: '', reason: 'INVALID_SIGNATURE', detail: error.details };
      throw error;
    }
  }

  /** Records how the execution went, with the redeemed grant's id. Retried while the service is unavailable. */
  reportExecution(actionId: string, grantId: string, status: 'SUCCEEDED' | 'FAILED', detail = '', options: CallOptions = {}): Promise<ActionView> {
    return this.retrying(
      () => this.unary<ActionView>('intake', 'ReportExecution', { actionId, grantId, status, detail: detail.slice(0, 4_000) }, options.signal),
      options.signal,
    );
  }

  /**
   * The whole dance in one call: request the action, wait for the decision, check and redeem the
   * grant, run `run` with exactly the approved request, report how it went. `run` is called only
   * after a successful redemption; every other ending is a typed outcome (or, when `run` throws,
   * that error after reporting FAILED).
   */
  guard<T>(request: ActionRequest, run: (approved: ApprovedAction) => Promise<T> | T, options: GuardOptions = {}): Promise<GuardOutcome<T>> {
    return guard(this, request, run, options);
  }

  /** `guard` for an action already requested with `asked` (which carries its idempotency key). */
  followAction<T>(
    actionId: string,
    asked: ActionRequest & { idempotencyKey: string },
    run: (approved: ApprovedAction) => Promise<T> | T,
    options: GuardOptions = {},
  ): Promise<GuardOutcome<T>> {
    return followAction(this, actionId, asked, run, options);
  }

  /** Closes the channels; calls in flight fail. */
  close(): void {
    this.services.close();
  }

  private retrying<T>(operation: () => Promise<T>, signal: AbortSignal | undefined): Promise<T> {
    return withRetries(operation, this.options.retry, signal);
  }

  private unary<Response>(service: 'intake' | 'decisions' | 'audit', method: string, request: object, signal?: AbortSignal, deadlineMs?: number): Promise<Response> {
    const client = this.services[service] as unknown as Record<
      string,
      (request: object, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<Response>) => grpc.ClientUnaryCall
    >;
    return new Promise((resolve, reject) => {
      if (signal?.aborted) return reject(signal.reason);
      const callOptions: grpc.CallOptions = deadlineMs === undefined ? {} : { deadline: Date.now() + deadlineMs };
      const call = client[method]!.call(this.services[service], request, new grpc.Metadata(), callOptions, (error, response) => {
        signal?.removeEventListener('abort', onAbort);
        if (signal?.aborted) reject(signal.reason);
        else if (error) reject(toApprovalsError(error));
        else resolve(response as Response);
      });
      const onAbort = () => call.cancel();
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }
}

import { createHash } from 'node:crypto';
import type { ActionRequest, ActionView, Approvals, RequestedAction } from '@approvals/sdk';
import { canonicalJson } from '@approvals/sdk';

/** How many earlier, used-up actions of the same call are skipped before a fresh key is taken. */
const MAX_PROBES = 64;
/** Calls whose next key is remembered (the oldest is forgotten first). */
const REMEMBERED_CALLS = 10_000;

/**
 * Idempotency keys for tool calls, so that a call repeated after a gateway restart (or a dropped
 * connection) finds its action still waiting, or approved and unused, instead of asking people
 * again. The key of a call is `mcp-<hash of the request>-<n>`: n = 0 first, and a higher n once
 * the action of a lower one is used up (run, denied, expired, cancelled). Keys in use by a call in
 * this process are skipped, so two identical calls in flight are two actions.
 */
export class CallKeys {
  private readonly next = new Map<string, number>();
  private readonly inFlight = new Set<string>();

  /** Requests the action for this call: an unfinished earlier one, or a new one. Release the key when done. */
  async claim(approvals: Approvals, tool: string, request: ActionRequest, signal?: AbortSignal): Promise<{ requested: RequestedAction; asked: ActionRequest & { idempotencyKey: string }; release: () => void }> {
    // The tool is part of the key: two tools mapped to the same request never share an action.
    const base = createHash('sha256').update(canonicalJson({ tool, request: { ...request, idempotencyKey: undefined } })).digest('hex').slice(0, 40);
    let n = this.next.get(base) ?? 0;
    for (let probes = 0; ; probes += 1, n += 1) {
      const key = probes < MAX_PROBES ? `mcp-${base}-${n}` : `mcp-${base}-r${Date.now().toString(36)}${Math.random().toString(36).slice(2, 8)}`;
      if (this.inFlight.has(key)) continue;
      this.inFlight.add(key);
      const asked = { ...request, idempotencyKey: key };
      try {
        const requested = await approvals.requestAction(asked, { signal });
        if (requested.created || probes >= MAX_PROBES || unfinished(await approvals.getAction(requested.actionId, { signal }))) {
          this.remember(base, n);
          return { requested, asked, release: () => this.inFlight.delete(key) };
        }
      } catch (error) {
        this.inFlight.delete(key);
        throw error;
      }
      this.inFlight.delete(key);
    }
  }

  private remember(base: string, n: number): void {
    this.next.delete(base);
    this.next.set(base, n);
    if (this.next.size > REMEMBERED_CALLS) this.next.delete(this.next.keys().next().value!);
  }
}

/** Still worth following: undecided, or approved with a grant nobody has used or withdrawn. */
function unfinished(view: ActionView): boolean {
  if (view.status === 'PENDING_POLICY' || view.status === 'AWAITING_APPROVAL') return true;
  if (view.status !== 'APPROVED' || !view.grant) return false;
  return !view.grant.redeemedAt && !view.grant.revokedAt && !view.execution && Date.parse(view.grant.expiresAt) > Date.now();
}

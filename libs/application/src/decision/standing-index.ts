import type { LedgerEventData } from '@approvals/contracts';
import { parseLedgerEvent } from '@approvals/contracts';
import type { ActionRequest, ApprovalState, StandingApprovalCandidate, StandingApprovalGranted } from '@approvals/domain';
import { isStandingActive } from '@approvals/domain';
import { deterministicUuid } from '../ids';
import { canonicalJson, sha256Hex } from '../ledger/event-hash';
import type { EventStore, RecordedEvent } from '../ports/event-store.port';

/**
 * Where the decision service finds the standing approvals that may cover a request. The grant
 * itself lives in the stream of the action whose approval granted it (with its revocation); this
 * index only points there, one stream per exact request shape (`standing-<sha256>`), so a lookup
 * is a read of a stream whose name is computed from the request, in every ledger adapter.
 *
 * The pointer is written after the grant. If the process dies in between, the grant covers nothing
 * until the same command is redelivered and writes it (the pointer's event id is derived from the
 * granting action, so writing it twice appends it once): fail closed, never wider.
 */
export const standingIndexStreamPrefix = 'standing-';

type Pointer = LedgerEventData<'StandingApprovalIndexed'>;

/** The pointer a recorded event holds; undefined for anything else, or a malformed one (never wider). */
function pointerOf(event: RecordedEvent): Pointer | undefined {
  try {
    const parsed = parseLedgerEvent(event.type, event.data);
    return parsed?.type === 'StandingApprovalIndexed' ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

/** The request fields a standing approval binds, plus the run for RUN scope (see the domain's boundFields). */
export function standingKey(request: ActionRequest, scope: StandingApprovalGranted['data']['scope']): string {
  return sha256Hex(
    canonicalJson({
      agentId: request.agentId,
      model: request.model,
      onBehalfOf: request.onBehalfOf ?? null,
      action: request.action,
      resource: request.resource,
      environment: request.environment,
      dataClassification: request.dataClassification ?? null,
      parameters: request.parameters,
      ...(scope === 'RUN' ? { runId: request.runId ?? null } : {}),
    }),
  );
}

export class StandingIndex {
  /** How many of the newest grants for one request shape a lookup considers. */
  private static readonly lookback = 8;

  constructor(
    private readonly store: EventStore,
    private readonly loadState: (actionId: string) => Promise<ApprovalState>,
  ) {}

  /** Records where the standing approval granted by `state`'s action can be found. Idempotent. */
  async add(state: ApprovalState): Promise<void> {
    if (state.status !== 'final' || !state.standing) return;
    const { granted } = state.standing;
    const pointer: Pointer = { actionId: granted.actionId, expiresAt: granted.expiresAt };
    await this.store.appendToStream(`${standingIndexStreamPrefix}${standingKey(state.request, granted.scope)}`, [
      {
        eventId: deterministicUuid('standing-index', granted.actionId),
        type: 'StandingApprovalIndexed',
        data: pointer,
        metadata: { actionId: granted.actionId, actor: { kind: 'service', id: 'decision' }, correlationId: granted.actionId },
      },
    ]);
  }

  /** The newest standing approval still in force for exactly this request, if any; the domain decides whether it covers. */
  async find(request: ActionRequest, now: Date): Promise<StandingApprovalCandidate | undefined> {
    const scopes = request.runId ? (['RUN', 'DURATION'] as const) : (['DURATION'] as const);
    const nowIso = now.toISOString();
    for (const scope of scopes) {
      const pointers = await this.store.readStream(`${standingIndexStreamPrefix}${standingKey(request, scope)}`, {
        direction: 'backwards',
        maxCount: StandingIndex.lookback,
      });
      for (const recorded of pointers) {
        const pointer = pointerOf(recorded);
        if (!pointer || Date.parse(pointer.expiresAt) <= now.getTime()) continue;
        const origin = await this.loadState(pointer.actionId);
        if (origin.status !== 'final' || !origin.standing || !isStandingActive(origin, nowIso)) continue;
        return {
          originRequest: origin.request,
          granted: origin.standing.granted,
          ...(origin.standing.revoked ? { revokedAt: origin.standing.revoked.revokedAt } : {}),
        };
      }
    }
    return undefined;
  }
}

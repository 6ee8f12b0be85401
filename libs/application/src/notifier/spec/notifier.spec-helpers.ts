import type { LedgerEventMessage } from '@approvals/contracts';
import type { ActionRequest, ApprovalEvent, ApprovalRequirement } from '@approvals/domain';
import { toActionStreamId } from '@approvals/domain';
import type { InMemoryEventStore } from '@approvals/testing';
import { toLedgerEventMessage } from '../../decision/outbox-relay';

import type { Human } from '../../ports/directory.port';
import type { EventMetadata } from '../../ports/event-store.port';

import type { NotificationChannel, PendingApproval, PendingApprovalStore } from '../pending-approval';
import { T0, at, directoryOf, sampleRequest } from '@approvals/testing';
export { T0, fixedClock, at, sequentialIds, directoryOf, RecordingCommandSender } from '@approvals/testing';

/** The pending-approval port in memory, storing copies as the SQLite adapter stores documents. */
export class InMemoryPendingApprovalStore implements PendingApprovalStore {
  private readonly items = new Map<string, PendingApproval>();

  async get(actionId: string): Promise<PendingApproval | undefined> {
    const item = this.items.get(actionId);
    return item && structuredClone(item);
  }

  async add(item: PendingApproval): Promise<PendingApproval> {
    if (!this.items.has(item.actionId)) this.items.set(item.actionId, structuredClone(item));
    return structuredClone(this.items.get(item.actionId)!);
  }

  async replace(item: PendingApproval): Promise<void> {
    this.items.set(item.actionId, structuredClone(item));
  }

  async update(actionId: string, change: (item: PendingApproval) => PendingApproval | undefined): Promise<PendingApproval | undefined> {
    const kept = this.items.get(actionId);
    const changed = kept && change(structuredClone(kept));
    if (!changed) return undefined;
    this.items.set(actionId, structuredClone(changed));
    return structuredClone(changed);
  }

  async remove(actionId: string): Promise<void> {
    this.items.delete(actionId);
  }

  async list(limit: number): Promise<PendingApproval[]> {
    return [...this.items.values()]
      .sort((a, b) => a.requestedAt.localeCompare(b.requestedAt) || a.actionId.localeCompare(b.actionId))
      .slice(0, limit)
      .map((item) => structuredClone(item));
  }
}

/** A channel that remembers what it delivered; `failNext` makes the next delivery throw. */
export class RecordingChannel implements NotificationChannel {
  readonly delivered: PendingApproval[] = [];
  failNext: Error | undefined;

  constructor(readonly name: string) {}

  async deliver(item: PendingApproval): Promise<{ target: string }> {
    if (this.failNext) {
      const error = this.failNext;
      this.failNext = undefined;
      throw error;
    }
    this.delivered.push(structuredClone(item));
    return { target: `${this.name}:approvers` };
  }

  readonly breakGlassNotices: { actionId: string; recipient: string }[] = [];
  readonly reminders: string[] = [];
  readonly ownerNotices: { owner: string; outcome: string }[] = [];

  async remind(item: PendingApproval): Promise<void> {
    this.reminders.push(item.actionId);
  }

  async notifyOwner(_item: PendingApproval, owner: Human, outcome: string): Promise<void> {
    this.ownerNotices.push({ owner: owner.id, outcome });
  }

  async deliverBreakGlass(item: PendingApproval, recipient: Human): Promise<void> {
    this.breakGlassNotices.push({ actionId: item.actionId, recipient: recipient.id });
  }
}

export const agentId = 'agent-reporting';

/**
 * Everyone the tests need. The agent's id, the human it acts for and its owner are all in the
 * required group on purpose: excluding them must not depend on group membership.
 */
export const directory = directoryOf(
  [
    { id: agentId, name: 'A human sharing the agent id', groups: ['data-owners'] },
    { id: 'olivia', name: 'Olivia (acted for)', groups: ['data-owners'] },
    { id: 'oscar', name: 'Oscar (owner)', groups: ['data-owners'] },
    { id: 'alice', name: 'Alice', groups: ['data-owners'] },
    { id: 'bob', name: 'Bob', groups: ['data-owners', 'security'] },
    { id: 'sam', name: 'Sam', groups: ['security'] },
  ],
  [{ id: agentId, owner: 'oscar' }],
);

export const requirement: ApprovalRequirement = { steps: [{ group: 'data-owners', minApprovals: 2 }], ttlSeconds: 900, denyEndsRequest: false };

export const request: ActionRequest = { ...sampleRequest, agentId };

let eventCount = 0;

/** Appends events to an action's stream and returns them as the outbox relay would publish them. */
export async function record(
  store: InMemoryEventStore,
  actionId: string,
  events: ApprovalEvent[],
  metadata: EventMetadata = {},
): Promise<LedgerEventMessage[]> {
  const streamId = toActionStreamId(actionId);
  const before = (await store.readStream(streamId)).length;
  await store.appendToStream(
    streamId,
    events.map((event) => ({
      eventId: `event-${++eventCount}`,
      type: event.type,
      data: event.data,
      metadata: { actionId, correlationId: actionId, ...metadata },
    })),
  );
  return (await store.readStream(streamId, { fromRevision: before })).map(toLedgerEventMessage);
}

/** An action waiting for approval: the three events the decision service writes for it. */
export async function awaitingApproval(store: InMemoryEventStore, actionId: string, requestedAt = T0, metadata: EventMetadata = {}) {
  const [, , approvalRequested] = await record(
    store,
    actionId,
    [
      { type: 'ActionRequested', data: { actionId, request, requestHash: 'sha256:request', requestedAt, agentOwner: 'oscar' } },
      {
        type: 'PolicyEvaluated',
        data: {
          actionId,
          outcome: 'REQUIRE_APPROVAL',
          policyVersion: 'sha256:policies',
          determiningPolicies: ['export-prod'],
          reasons: ['exports in prod need two data owners'],
          requirement,
          evaluatedAt: requestedAt,
        },
      },
      { type: 'ApprovalRequested', data: { actionId, requirement, requestedAt, expiresAt: at(900) } },
    ],
    metadata,
  );
  return approvalRequested!;
}

export const voteCast = (actionId: string, approverId: string, decision: 'APPROVE' | 'DENY' = 'APPROVE'): ApprovalEvent => ({
  type: 'VoteCast',
  data: { actionId, approverId, channel: 'slack', decision, groups: ['data-owners'], castAt: at(60) },
});

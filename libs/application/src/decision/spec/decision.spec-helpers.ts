import type { CastVoteCommandMessage, MessageMetadata, PolicyEvaluatedMessage, RequestActionCommandMessage } from '@approvals/contracts';
import type { ActionRequest, ApprovalRequirement, PolicyOutcome, VoteDecision } from '@approvals/domain';
import { toActionStreamId } from '@approvals/domain';
import { InMemoryEventStore, sampleRequest } from '@approvals/testing';

import type { AppendResult, EventStore, ExpectedRevision, NewEvent } from '../../ports/event-store.port';
import { WrongExpectedRevisionError } from '../../ports/event-store.port';
import type { GrantClaims, GrantIssuer, IssuedGrant } from '../../ports/grant-issuer.port';
import { canonicalJson, sha256Hex } from '../../ledger/event-hash';
import { DecisionHandlers } from '../decision.handlers';
import { DecisionService } from '../decision.service';
import { T0, ManualClock, sequentialIds, directoryOf, TRACEPARENT, TRACESTATE } from '@approvals/testing';
export { T0, at, ManualClock, sequentialIds, directoryOf, TRACEPARENT, TRACESTATE } from '@approvals/testing';

export const agentId = 'agent-reporting';

/** Olivia, whom the agent acts for, is a data owner too: no group lets her approve her own request. */
export const directory = directoryOf(
  [
    { id: 'olivia', name: 'Olivia', groups: ['data-owners'] },
    { id: 'alice', name: 'Alice', groups: ['data-owners'] },
    { id: 'bob', name: 'Bob', groups: ['data-owners', 'security'] },
    { id: 'carol', name: 'Carol', groups: ['finance'] },
  ],
  [{ id: agentId, owner: 'oscar' }],
);

/** Signs nothing: remembers the claims and hands out a token named after the grant. */
export class RecordingGrantIssuer implements GrantIssuer {
  readonly issued: GrantClaims[] = [];

  async issue(claims: GrantClaims): Promise<IssuedGrant> {
    this.issued.push(claims);
    return { token: `token-${claims.grantId}`, expiresAt: new Date(claims.issuedAt.getTime() + 5 * 60_000) };
  }
}

/**
 * The ledger with appends that fail: the next `conflicts` appends throw a
 * WrongExpectedRevisionError (Infinity: every one), or `failure` when it is set.
 */
export class FlakyEventStore implements EventStore {
  conflicts = 0;
  failure: Error | undefined;
  appendAttempts = 0;

  constructor(private readonly inner: InMemoryEventStore) {}

  async appendToStream(streamId: string, events: NewEvent[], options: { expectedRevision?: ExpectedRevision } = {}): Promise<AppendResult> {
    this.appendAttempts += 1;
    if (this.failure) throw this.failure;
    if (this.conflicts > 0) {
      this.conflicts -= 1;
      throw new WrongExpectedRevisionError(streamId, options.expectedRevision ?? 'any', 99);
    }
    return this.inner.appendToStream(streamId, events, options);
  }

  readStream: EventStore['readStream'] = (...args) => this.inner.readStream(...args);
  readAll: EventStore['readAll'] = (...args) => this.inner.readAll(...args);
  headPosition: EventStore['headPosition'] = () => this.inner.headPosition();
  subscribeToAll: EventStore['subscribeToAll'] = (...args) => this.inner.subscribeToAll(...args);
  close: EventStore['close'] = () => this.inner.close();
}

export const request: ActionRequest = { ...sampleRequest, agentId };

/** The hash the intake sends with a request, and a grant binds. */
export const requestHashOf = (asked: ActionRequest): string => sha256Hex(canonicalJson(asked));

export const twoDataOwners: ApprovalRequirement = { steps: [{ group: 'data-owners', minApprovals: 2 }], ttlSeconds: 900, denyEndsRequest: true };

const metadata = (messageId: string): MessageMetadata => ({
  messageId,
  correlationId: 'corr-1',
  occurredAt: T0,
  traceparent: TRACEPARENT,
  tracestate: TRACESTATE,
});

export const messages = {
  requestAction: (actionId: string, asked: ActionRequest = request): RequestActionCommandMessage => ({
    type: 'RequestAction',
    data: { actionId, request: asked, requestHash: requestHashOf(asked), agentOwner: 'oscar' },
    metadata: metadata('msg-request'),
  }),
  policyEvaluated: (actionId: string, outcome: PolicyOutcome, evaluated: ActionRequest = request): PolicyEvaluatedMessage => ({
    type: 'PolicyEvaluated',
    data: {
      actionId,
      outcome,
      policyVersion: 'sha256:policies',
      determiningPolicies: ['export-prod'],
      reasons: ['exports in prod need two data owners'],
      ...(outcome === 'REQUIRE_APPROVAL' ? { requirement: twoDataOwners } : {}),
      requestHash: requestHashOf(evaluated),
      evaluatedAt: T0,
    },
    metadata: metadata('msg-evaluation'),
  }),
  castVote: (actionId: string, approverId: string, decision: VoteDecision = 'APPROVE'): CastVoteCommandMessage => ({
    type: 'CastVote',
    data: { actionId, approverId, channel: 'slack', decision },
    metadata: metadata(`msg-vote-${approverId}`),
  }),
};

export const actionId = 'act-1';
export const streamId = toActionStreamId(actionId);

/** The decision service and its handlers on an in-memory ledger whose appends can be made to fail. */
export function given(options: { maxConflictRetries?: number } = {}) {
  const clock = new ManualClock();
  const ledger = new InMemoryEventStore({ clock });
  const store = new FlakyEventStore(ledger);
  const grants = new RecordingGrantIssuer();
  const decisions = new DecisionService({ store, grants, directory, clock, ids: sequentialIds('id'), ...options });
  const handlers = new DecisionHandlers(decisions);
  const types = async () => (await ledger.readStream(streamId)).map((event) => event.type);
  return { clock, ledger, store, grants, decisions, handlers, types };
}

/** {@link given}, with the action waiting for two data owners. */
export async function givenAwaitingApproval(options: { maxConflictRetries?: number } = {}) {
  const context = given(options);
  await context.handlers.requestAction(messages.requestAction(actionId));
  await context.handlers.recordEvaluation(messages.policyEvaluated(actionId, 'REQUIRE_APPROVAL'));
  return context;
}

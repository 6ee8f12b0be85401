import type { ApprovalCommand, ApprovalEvent, ApprovalState, DomainError, Result, StandingApprovalCandidate } from '@approvals/domain';
import { decide, evolve, fail, ok, toActionStreamId } from '@approvals/domain';
import type { Directory } from '../ports/directory.port';
import type { EventMetadata, EventStore } from '../ports/event-store.port';
import { WrongExpectedRevisionError } from '../ports/event-store.port';
import type { Clock, IdGenerator } from '../ports/clock.port';
import type { GrantIssuer } from '../ports/grant-issuer.port';
import { loadAction } from '../ledger/approval-stream';
import type { LedgerFinding, LedgerIntegrity } from '../ledger/ledger-log';
import { describeFinding } from '../ledger/ledger-log';
import { unicodeProblem } from '../intake/untrusted-json';
import { StandingIndex } from './standing-index';

export interface DecisionDeps {
  store: EventStore;
  grants: GrantIssuer;
  directory: Directory;
  clock: Clock;
  ids: IdGenerator;
  /** Checks each stream against the ledger log before acting on it (I8); without it, streams are trusted. */
  integrity?: LedgerIntegrity | undefined;
  /** How many times a command is retried after a concurrency conflict (the stream is reloaded each time). */
  maxConflictRetries?: number;
  /** How many recently used actions to keep folded in memory (0 disables the cache). */
  cacheSize?: number;
}

interface CachedAction {
  /** Set when the stream disagrees with the ledger log: the action is not acted on (I8). */
  inconsistent?: LedgerFinding | undefined;
  state: ApprovalState;
  revision: number;
  /** Causation ids (bus message ids) of the events in the stream: a message seen here is a redelivery. */
  causations: ReadonlySet<string>;
}

/** Events the decision service derives on its own: its acts, whoever sent the command. */
const serviceActs = new Set<string>(['ActionApproved', 'ActionExpired', 'ExecutionGrantIssued', 'ApprovalRequested', 'StandingApprovalGranted']);

/** Where a command came from: copied into every event's metadata. */
export interface CommandContext {
  actor: NonNullable<EventMetadata['actor']>;
  correlationId?: string | undefined;
  causationId?: string | undefined;
  traceparent?: string | undefined;
  tracestate?: string | undefined;
}

export interface Decided {
  actionId: string;
  state: ApprovalState;
  /** The events this command appended (empty for an idempotent repeat). */
  appended: ApprovalEvent[];
}

/**
 * The decision service's command handler: the single writer of every `action-<id>` stream.
 * Read, fold, decide, append with the expected revision; on a conflict reload and decide again,
 * never overwrite. A bus message already applied (an event in the stream names it as its cause) is
 * redelivered, not new: it is answered with the current state and appends nothing.
 */
export class DecisionService {
  private readonly maxRetries: number;
  private readonly cacheSize: number;
  /**
   * Folded state of recently used actions, in least-recently-used order. Safe because this service
   * is the only writer: an append from anywhere else makes our next append fail its expected
   * revision, which drops the entry and reloads the stream.
   */
  private readonly cache = new Map<string, CachedAction>();
  private readonly standing: StandingIndex;

  constructor(private readonly deps: DecisionDeps) {
    this.maxRetries = deps.maxConflictRetries ?? 5;
    this.cacheSize = deps.cacheSize ?? 10_000;
    this.standing = new StandingIndex(deps.store, async (actionId) => (await this.load(actionId)).state);
  }

  async execute(
    actionId: string,
    build: (now: string) => ApprovalCommand,
    context: CommandContext,
  ): Promise<Result<Decided, DomainError>> {
    for (let attempt = 0; ; attempt += 1) {
      const loaded = attempt === 0 ? await this.load(actionId) : await this.reload(actionId);
      if (loaded.inconsistent) {
        return fail('LEDGER_INCONSISTENT', `action ${actionId} is not acted on: its ledger stream disagrees with the ledger log (${describeFinding(loaded.inconsistent)})`);
      }
      // At-least-once delivery: a message whose events are already in the stream was applied before.
      if (context.causationId !== undefined && loaded.causations.has(context.causationId)) {
        // The first delivery may have died between the grant and its index entry.
        await this.standing.add(loaded.state);
        return ok({ actionId, state: loaded.state, appended: [] });
      }
      const now = this.deps.clock.now();
      const command = build(now.toISOString());
      // Whatever channel a text came through, the ledger records only valid Unicode.
      const malformed = malformedText(command.data);
      if (malformed) return fail('INVALID_ARGUMENT', malformed);
      const decided = decide(command, loaded.state);
      if (!decided.ok) return decided;

      let events = decided.value;
      let state = events.reduce(evolve, loaded.state);
      if (events.some((e) => e.type === 'ActionApproved')) {
        const grant = await this.issueGrant(state, now);
        if (!grant.ok) return grant;
        events = [...events, ...grant.value];
        state = grant.value.reduce(evolve, state);
      }
      if (events.length === 0) return ok({ actionId, state: loaded.state, appended: [] });

      try {
        await this.deps.store.appendToStream(
          toActionStreamId(actionId),
          events.map((event) => ({
            eventId: this.deps.ids.next(),
            type: event.type,
            data: event.data,
            metadata: this.metadataFor(actionId, event, context),
          })),
          { expectedRevision: loaded.revision < 0 ? 'no_stream' : loaded.revision },
        );
        const causations = context.causationId === undefined ? loaded.causations : new Set([...loaded.causations, context.causationId]);
        this.remember(actionId, { state, revision: loaded.revision + events.length, causations });
        if (events.some((event) => event.type === 'StandingApprovalGranted')) await this.standing.add(state);
        return ok({ actionId, state, appended: events });
      } catch (error) {
        this.cache.delete(actionId);
        if (!(error instanceof WrongExpectedRevisionError)) throw error;
        if (attempt < this.maxRetries) continue;
        return fail('CONFLICT', `action ${actionId} kept changing while this command was applied (${attempt + 1} attempts); retry it`);
      }
    }
  }

  private async load(actionId: string): Promise<CachedAction> {
    const cached = this.cache.get(actionId);
    if (cached) {
      this.cache.delete(actionId);
      this.cache.set(actionId, cached);
      return cached;
    }
    return this.reload(actionId);
  }

  private async reload(actionId: string): Promise<CachedAction> {
    const { state, revision, events, inconsistent } = await loadAction(this.deps.store, actionId, this.deps.integrity);
    if (inconsistent) return { inconsistent, state, revision, causations: new Set() };
    const causations = new Set(events.flatMap((event) => (event.metadata.causationId === undefined ? [] : [event.metadata.causationId])));
    const entry = { state, revision, causations };
    // Unknown actions are not cached: a request for them may still arrive.
    if (state.status !== 'none') this.remember(actionId, entry);
    return entry;
  }

  private remember(actionId: string, entry: CachedAction): void {
    if (this.cacheSize <= 0) return;
    this.cache.delete(actionId);
    this.cache.set(actionId, entry);
    if (this.cache.size > this.cacheSize) this.cache.delete(this.cache.keys().next().value!);
  }

  /**
   * The standing approval in force for exactly the request of `actionId`, if one exists, with its
   * approvers' groups narrowed to those they still have: someone who left a group no longer
   * counts for it. The domain then checks that it covers the request under today's policy.
   */
  async standingCandidateFor(actionId: string): Promise<StandingApprovalCandidate | undefined> {
    const { state } = await this.load(actionId);
    if (state.status !== 'requested') return undefined;
    const candidate = await this.standing.find(state.request, this.deps.clock.now());
    if (!candidate) return undefined;
    const approvers = candidate.granted.approvers.map((approver) => {
      const current = new Set(this.approverGroups(approver.approverId));
      return { ...approver, groups: approver.groups.filter((group) => current.has(group)) };
    });
    return { ...candidate, granted: { ...candidate.granted, approvers } };
  }

  /** Resolves the approver's groups from the directory before the domain judges the vote. */
  approverGroups(approverId: string): string[] {
    return this.deps.directory.findHuman(approverId)?.groups ?? [];
  }

  private async issueGrant(state: ApprovalState, now: Date): Promise<Result<ApprovalEvent[], DomainError>> {
    if (state.status !== 'final' || state.outcome !== 'APPROVED') return fail('INVALID_STATE', 'grant requires approval');
    const grantId = this.deps.ids.next();
    const issued = await this.deps.grants.issue({
      grantId,
      actionId: state.actionId,
      agentId: state.request.agentId,
      requestHash: state.requestHash,
      issuedAt: now,
    });
    return decide(
      {
        type: 'IssueGrant',
        data: { actionId: state.actionId, grantId, token: issued.token, expiresAt: issued.expiresAt.toISOString() },
        meta: { now: now.toISOString() },
      },
      state,
    );
  }

  private metadataFor(actionId: string, event: ApprovalEvent, context: CommandContext): EventMetadata {
    const metadata: EventMetadata = {
      actionId,
      actor: context.actor,
      correlationId: context.correlationId ?? actionId,
      causationId: context.causationId,
      traceparent: context.traceparent,
      tracestate: context.tracestate,
    };
    if (event.type === 'PolicyEvaluated' || event.type === 'StandingApprovalGranted') metadata.policyVersion = event.data.policyVersion;
    // Events the decision service derives on its own (outcomes, grants) are its acts, not the caller's.
    if (serviceActs.has(event.type) || (event.type === 'ActionDenied' && event.data.by === 'POLICY')) {
      metadata.actor = { kind: 'service', id: 'decision' };
    }
    return Object.fromEntries(Object.entries(metadata).filter(([, v]) => v !== undefined)) as EventMetadata;
  }
}

/** Where `value` holds a string (or member name) that is not valid Unicode, described; undefined if nowhere. */
function malformedText(value: unknown, path = 'data', depth = 0): string | undefined {
  if (typeof value === 'string') {
    const problem = unicodeProblem(value);
    return problem ? `${path} ${problem}` : undefined;
  }
  if (value === null || typeof value !== 'object' || depth > 64) return undefined;
  for (const [key, child] of Object.entries(value)) {
    const at = `${path}.${key}`;
    const problem = unicodeProblem(key) ? `${at} ${unicodeProblem(key)!}` : malformedText(child, at, depth + 1);
    if (problem) return problem;
  }
  return undefined;
}

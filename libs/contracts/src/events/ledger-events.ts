import { z } from 'zod';
import { InvalidMessageError, actionRequestSchema, approvalRequirementSchema, standingRequestSchema } from '../bus/messages';

/**
 * The event catalogue: every event the ledger may hold, one schema per type. Most belong to action
 * streams (`action-<actionId>`); the others keep the policy history, the standing-approval index
 * and the refused channel callbacks. The
 * domain's event types are inferred from these, and every reader of the ledger or of
 * `approvals.ledger-events.v1` turns what it read into a typed event with `parseLedgerEvent`.
 *
 * Adding an event type: add its schema here; the compiler then lists every consumer that must
 * decide what to do with it (the domain's `evolve`, the projection, the event descriptions, the
 * notifier's and the policy evaluator's routes, the watchers' status table); see "Adding things"
 * in docs/architecture.md. Never change a released event's meaning: the ledger keeps it forever.
 */

const id = z.string().min(1);
const instant = z.string();
// The five types consumers on the bus have always checked keep their stricter rules.
const checkedInstant = z.string().min(1);
const voteDecision = z.enum(['APPROVE', 'DENY']);

const actionRequested = z.object({
  actionId: id,
  request: actionRequestSchema,
  /** SHA-256 of the canonical (RFC 8785) form of `request`: equal payloads, equal hash. */
  requestHash: z.string().min(1),
  requestedAt: checkedInstant,
  /** The human accountable for the agent (from the directory): never an approver of it (I1). */
  agentOwner: z.string().min(1).optional(),
});

const policyEvaluated = z.object({
  actionId: id,
  outcome: z.enum(['ALLOW', 'DENY', 'REQUIRE_APPROVAL']),
  policyVersion: z.string(),
  determiningPolicies: z.array(z.string()),
  reasons: z.array(z.string()),
  requirement: approvalRequirementSchema.optional(),
  /** SHA-256 of the canonical request the policies saw (absent in events recorded before it was kept). */
  requestHash: z.string().optional(),
  evaluatedAt: instant,
});

const approvalRequested = z.object({
  actionId: id,
  requirement: approvalRequirementSchema,
  requestedAt: checkedInstant,
  expiresAt: checkedInstant,
});

/** Nobody decided in time: the policy's next fallback group may now approve too. */
const approvalEscalated = z.object({ actionId: id, group: z.string().min(1), afterSeconds: z.number().int().min(1), escalatedAt: checkedInstant });

const approvalNotified = z.object({ actionId: id, channel: z.string(), target: z.string(), notifiedAt: instant });

/** A delivery that failed; it is retried with backoff until it succeeds (ApprovalNotified) or the request ends. */
const approvalNotificationFailed = z.object({ actionId: id, channel: z.string(), error: z.string(), failedAt: instant });

const voteCast = z.object({
  actionId: id,
  approverId: id,
  channel: z.string().min(1),
  decision: voteDecision,
  /** The required groups this approver belongs to (the slots they may fill). */
  groups: z.array(z.string()),
  comment: z.string().optional(),
  /** The standing approval this approver asked for with the vote, if any. */
  standing: standingRequestSchema.optional(),
  castAt: checkedInstant,
});

const voteRejected = z.object({
  actionId: id,
  approverId: z.string(),
  channel: z.string(),
  decision: voteDecision,
  reason: z.enum(['SELF_APPROVAL', 'NOT_ELIGIBLE', 'DUPLICATE_VOTE', 'EXPIRED', 'ALREADY_DECIDED', 'NOT_AWAITING_APPROVAL']),
  detail: z.string(),
  attemptedAt: instant,
});

const actionApproved = z.object({
  actionId: id,
  /**
   * Who approved: the approvers whose votes met the requirement, the approvers of the standing
   * approval that covers it, or the human who broke the glass; empty when the policy allowed it.
   */
  approvedBy: z.array(z.string()),
  by: z.enum(['POLICY', 'APPROVERS', 'STANDING_APPROVAL', 'BREAK_GLASS']),
  /** With STANDING_APPROVAL: the action whose approval granted the standing approval (cited, never copied). */
  standingApprovalOf: z.string().optional(),
  approvedAt: instant,
});

const actionDenied = z.object({
  actionId: id,
  by: z.enum(['POLICY', 'APPROVER']),
  deniedBy: z.string().optional(),
  reason: z.string(),
  deniedAt: instant,
});

const actionExpired = z.object({
  actionId: id,
  expiresAt: instant,
  expiredAt: instant,
  /** Why, when it is not the approval deadline (e.g. no policy evaluation could be obtained). */
  reason: z.string().optional(),
});

const actionCancelled = z.object({ actionId: id, cancelledBy: z.string(), reason: z.string(), cancelledAt: instant });

const executionGrantIssued = z.object({
  actionId: id,
  grantId: z.string(),
  agentId: z.string(),
  requestHash: z.string(),
  /** The signed grant (compact JWS). Read models must not expose it. */
  token: z.string(),
  issuedAt: instant,
  expiresAt: instant,
});

const executionReported = z.object({
  actionId: id,
  grantId: z.string(),
  status: z.enum(['SUCCEEDED', 'FAILED']),
  detail: z.string(),
  reportedAt: instant,
});

/** The grant was presented and consumed: the action may run now, once. */
const executionGrantRedeemed = z.object({ actionId: id, grantId: z.string(), redeemedBy: z.string(), requestHash: z.string(), redeemedAt: instant });

/** A grant that was presented and refused (I5): security relevant, so recorded. */
const grantRedemptionRejected = z.object({
  actionId: id,
  grantId: z.string(),
  presentedBy: z.string(),
  reason: z.enum(['INVALID_SIGNATURE', 'NOT_APPROVED', 'UNKNOWN_GRANT', 'WRONG_AGENT', 'PARAMETERS_MISMATCH', 'REVOKED', 'EXPIRED', 'REPLAYED']),
  detail: z.string(),
  attemptedAt: instant,
});

/** The agent withdrew an approved action before using its grant: the outcome stands (I3), the grant is void. */
const executionGrantRevoked = z.object({ actionId: id, grantId: z.string(), revokedBy: z.string(), reason: z.string(), revokedAt: instant });

/** An approver who counted towards a standing approval, with the required groups they filled. */
export const standingApproverSchema = z.object({ approverId: z.string(), groups: z.array(z.string()) });

/** Recorded in the stream of the action whose approval granted it, right after its ActionApproved. */
const standingApprovalGranted = z.object({
  actionId: id,
  scope: standingRequestSchema.shape.scope,
  /** With RUN scope: the run it is limited to. */
  runId: z.string().optional(),
  approvers: z.array(standingApproverSchema),
  policyVersion: z.string(),
  determiningPolicies: z.array(z.string()),
  grantedAt: instant,
  expiresAt: instant,
});

const standingApprovalRevoked = z.object({ actionId: id, revokedBy: z.string(), channel: z.string(), reason: z.string(), revokedAt: instant });

/** The emergency path was taken: the action is approved without waiting and must be reviewed. */
const breakGlassInvoked = z.object({
  actionId: id,
  invokedBy: z.string().min(1),
  channel: z.string().min(1),
  justification: z.string(),
  /** True when the invoker is the human the action is requested for, or the agent's owner. */
  invokedByRequester: z.boolean(),
  /** The groups whose approvers are told and one of whom must review it. */
  reviewGroups: z.array(z.string().min(1)).min(1),
  invokedAt: checkedInstant,
  reviewDueAt: checkedInstant,
});

/** A refused attempt to break the glass or to review it: security relevant, so recorded. */
const breakGlassRejected = z.object({
  actionId: id,
  attemptedBy: z.string(),
  channel: z.string(),
  attempt: z.enum(['INVOKE', 'REVIEW']),
  reason: z.enum(['NOT_OFFERED', 'NOT_ELIGIBLE', 'SELF_APPROVAL', 'SELF_REVIEW']),
  detail: z.string(),
  attemptedAt: instant,
});

/** One approver of the review groups was told that the glass was broken. */
const breakGlassNotified = z.object({ actionId: id, channel: z.string(), recipient: z.string(), notifiedAt: instant });

const breakGlassReviewed = z.object({
  actionId: id,
  reviewedBy: z.string(),
  channel: z.string(),
  verdict: z.enum(['JUSTIFIED', 'UNJUSTIFIED']),
  comment: z.string(),
  reviewedAt: instant,
});

/** The events of an action stream, in the order an action's life usually records them. */
export const actionEventSchemas = {
  ActionRequested: actionRequested,
  PolicyEvaluated: policyEvaluated,
  ApprovalRequested: approvalRequested,
  ApprovalEscalated: approvalEscalated,
  ApprovalNotified: approvalNotified,
  ApprovalNotificationFailed: approvalNotificationFailed,
  VoteCast: voteCast,
  VoteRejected: voteRejected,
  ActionApproved: actionApproved,
  ActionDenied: actionDenied,
  ActionExpired: actionExpired,
  ActionCancelled: actionCancelled,
  ExecutionGrantIssued: executionGrantIssued,
  ExecutionReported: executionReported,
  ExecutionGrantRedeemed: executionGrantRedeemed,
  GrantRedemptionRejected: grantRedemptionRejected,
  ExecutionGrantRevoked: executionGrantRevoked,
  StandingApprovalGranted: standingApprovalGranted,
  StandingApprovalRevoked: standingApprovalRevoked,
  BreakGlassInvoked: breakGlassInvoked,
  BreakGlassRejected: breakGlassRejected,
  BreakGlassNotified: breakGlassNotified,
  BreakGlassReviewed: breakGlassReviewed,
} as const;

/** A policy set became the running one (stream `policy-activations`): auditors read which version decided when. */
const policySetActivated = z.object({
  /** The version running before, or null for the first activation the ledger has seen (also when not recorded). */
  fromVersion: z.string().nullable().default(null),
  toVersion: z.string(),
  trigger: z.enum(['start', 'file-change', 'signal']),
  /** Where the policy set was loaded from. */
  source: z.string(),
  activatedAt: instant,
  /** The service instance that activated it. */
  activatedBy: z.string(),
  /**
   * The files of the new version (schema first), so the ledger alone holds every policy text
   * that ever decided: re-evaluation of an old action needs nothing else.
   */
  files: z.array(z.object({ name: z.string(), sha256: z.string(), text: z.string() })),
});

/** A standing approval's entry in the index of identical requests (stream `standing-<key>`). */
const standingApprovalIndexed = z.object({
  /** The action whose approval granted the standing approval. */
  actionId: id,
  expiresAt: instant,
});

const refusal = {
  /** The channel (`slack`, `teams`, `webhook:<name>`, `console`). */
  channel: z.string(),
  /** Why: a refusal code of the channel (INVALID_SIGNATURE, STALE, REPLAYED, UNKNOWN_USER, ...). */
  reason: z.string(),
  /** Where it came from (the client address), so a flood is told apart from a mistake. */
  source: z.string(),
};

/** A refused channel callback (forged, stale, replayed, unknown user), stream `channel-security`. */
const channelCallbackRejected = z.object({
  ...refusal,
  detail: z.string(),
  rejectedAt: instant,
  /** The action of a verified request whose sender is unknown. */
  actionId: z.string().optional(),
  /** What an unverified request said it was about: kept for the investigation, never trusted. */
  claimedActionId: z.string().optional(),
});

/** Refusals counted and not recorded one by one (a flood), stream `channel-security`. */
const channelCallbacksRejected = z.object({
  ...refusal,
  /** The source, or `*` for refusals from sources beyond the ones followed one by one. */
  source: z.string(),
  /** Refusals counted and not recorded one by one. */
  count: z.number().int().min(1),
  /** With source `*`: how many sources those came from. */
  sources: z.number().int().optional(),
  firstAt: instant,
  lastAt: instant,
  /** The detail of the last one counted. */
  lastDetail: z.string(),
});

/** Every event type the ledger holds and the schema of its data. */
export const ledgerEventSchemas = {
  ...actionEventSchemas,
  PolicySetActivated: policySetActivated,
  StandingApprovalIndexed: standingApprovalIndexed,
  ChannelCallbackRejected: channelCallbackRejected,
  ChannelCallbacksRejected: channelCallbacksRejected,
} as const;

export type LedgerEventType = keyof typeof ledgerEventSchemas;
export type ActionEventType = keyof typeof actionEventSchemas;
export type LedgerEventData<T extends LedgerEventType> = z.infer<(typeof ledgerEventSchemas)[T]>;
/** One event of the catalogue: its type and its data. */
export type LedgerEventOf<T extends LedgerEventType> = { type: T; data: LedgerEventData<T> };
/** Any event of the catalogue, discriminated by `type`. */
export type LedgerEvent = { [T in LedgerEventType]: LedgerEventOf<T> }[LedgerEventType];
/** Any event of an action stream (the approval aggregate's events). */
export type ActionEvent = { [T in ActionEventType]: LedgerEventOf<T> }[ActionEventType];

export const ledgerEventTypes = Object.keys(ledgerEventSchemas) as LedgerEventType[];
export const actionEventTypes = Object.keys(actionEventSchemas) as ActionEventType[];

export const isLedgerEventType = (type: string): type is LedgerEventType => Object.hasOwn(ledgerEventSchemas, type);
export const isActionEventType = (type: string): type is ActionEventType => Object.hasOwn(actionEventSchemas, type);
export const isActionEvent = (event: LedgerEvent): event is ActionEvent => isActionEventType(event.type);

/**
 * An event of a known type whose data does not match its schema (a defect or a forged record). On
 * the bus it is a poison message: dead-lettered, not retried.
 */
export class LedgerEventError extends InvalidMessageError {
  override readonly name = 'LedgerEventError';
  constructor(
    readonly type: LedgerEventType,
    readonly detail: string,
  ) {
    super(`${type} data: ${detail}`);
  }
}

/**
 * The typed event for a recorded type and data; undefined for a type outside the catalogue (other
 * streams hold other events). Throws LedgerEventError, naming the first bad field, when the data
 * does not match. The result is a new object holding only the fields the schema knows.
 */
export function parseLedgerEvent(type: string, data: unknown): LedgerEvent | undefined {
  if (!isLedgerEventType(type)) return undefined;
  const result = ledgerEventSchemas[type].safeParse(data);
  if (!result.success) {
    const issue = result.error.issues[0];
    throw new LedgerEventError(type, `${issue?.path.join('.') || '(root)'}: ${issue?.message ?? 'invalid'}`);
  }
  // The schema was chosen by `type`, so its output is that type's data; TypeScript cannot
  // correlate the two through the indexed access.
  return { type, data: result.data } as LedgerEvent;
}

/** Like parseLedgerEvent, for an action stream: undefined for any other type. */
export function parseActionEvent(type: string, data: unknown): ActionEvent | undefined {
  const event = parseLedgerEvent(type, data);
  return event && isActionEvent(event) ? event : undefined;
}

/**
 * What a consumer does with each event type: a handler, or null to ignore it. The map must name
 * every type, so a new event type is a compile error in each consumer until it decides. `C` is
 * what the consumer passes along with the event (the bus message, for example).
 */
export type LedgerEventRoutes<R, C = void> = { readonly [T in LedgerEventType]: ((event: LedgerEventOf<T>, context: C) => R) | null };

/** Whether a consumer does anything with this type, so it can skip parsing what it ignores. */
export const hasLedgerRoute = <R, C>(routes: LedgerEventRoutes<R, C>, type: string): boolean => isLedgerEventType(type) && routes[type] !== null;

/** A ledger event as the bus carries it, to its route: parsed only when the consumer has one for its type. */
export async function routeLedgerMessage<M extends { type: string; data: unknown }>(routes: LedgerEventRoutes<Promise<void>, M>, message: M): Promise<void> {
  if (!hasLedgerRoute(routes, message.type)) return;
  const event = parseLedgerEvent(message.type, message.data);
  if (event) await routeLedgerEvent(routes, event, message);
}

/** Calls the route for the event's type; undefined when the consumer ignores that type. */
export function routeLedgerEvent<R, C>(routes: LedgerEventRoutes<R, C>, event: LedgerEvent, context: C): R | undefined {
  // The route was chosen by the event's type, so it takes that event; TypeScript cannot correlate them.
  const route = routes[event.type] as ((event: LedgerEvent, context: C) => R) | null;
  return route === null ? undefined : route(event, context);
}

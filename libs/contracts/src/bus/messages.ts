import { z } from 'zod';
import { Commands, type CommandName } from './topics';

/**
 * Wire contracts of bus messages, validated by every consumer before anything else.
 * Messages are shaped `{ type, data, metadata }`.
 */
export const messageMetadataSchema = z.object({
  messageId: z.string().min(1),
  correlationId: z.string().optional(),
  causationId: z.string().optional(),
  traceparent: z.string().optional(),
  tracestate: z.string().optional(),
  occurredAt: z.string(),
});
export type MessageMetadata = z.infer<typeof messageMetadataSchema>;

/**
 * A JSON object, checked and passed on as the very same object. zod's record schema would rebuild
 * it by assignment, which turns an own "__proto__" member into the new object's prototype: what
 * was hashed and what is used would differ.
 */
export const jsonObjectSchema = z.custom<Record<string, unknown>>(
  (value) => value !== null && typeof value === 'object' && !Array.isArray(value) && Object.getPrototypeOf(value) === Object.prototype,
  { message: 'must be a JSON object' },
);
const jsonObject = jsonObjectSchema;

/** A JSON value, as carried in action parameters. */
export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

/** An action's parameters: a JSON object, checked and kept as the very object (see jsonObjectSchema). */
export const jsonParametersSchema = z.custom<{ [key: string]: JsonValue }>((value) => jsonObjectSchema.safeParse(value).success, { message: 'must be a JSON object' });

export const actionRequestSchema = z.object({
  agentId: z.string().min(1),
  model: z.string(),
  onBehalfOf: z.string().optional(),
  action: z.string().min(1),
  resource: z.object({ kind: z.string().min(1), id: z.string().min(1) }),
  environment: z.string().min(1),
  dataClassification: z.string().optional(),
  parameters: jsonParametersSchema,
  justification: z.string(),
  idempotencyKey: z.string().min(1),
  /** The agent's run (session, job) this request belongs to; what a RUN-scoped standing approval covers. */
  runId: z.string().min(1).optional(),
});
export type ActionRequestPayload = z.infer<typeof actionRequestSchema>;

/**
 * Who may approve and how many, as carried by PolicyEvaluated and ApprovalRequested: every step
 * must be met, and one human fills at most one slot.
 */
export const approvalRequirementSchema = z.object({
  steps: z.array(z.object({ group: z.string().min(1), minApprovals: z.number().int().min(1) })).min(1),
  /** Seconds the approval request stays open before it expires (fail closed). */
  ttlSeconds: z.number().positive(),
  /** When true (the default), a single DENY vote from an eligible approver denies the action. */
  denyEndsRequest: z.boolean(),
  /** Where the request is delivered, as `<kind>:<target>` (e.g. `slack:#data-approvals`), besides the defaults. */
  channels: z.array(z.string().regex(/^[a-z]+:\S+$/)).optional(),
  /**
   * When nobody decides in time, these groups are asked too, in order: after `afterSeconds` from
   * the request, members of `group` may stand in for any required group (each person still once).
   */
  escalation: z.array(z.object({ afterSeconds: z.number().int().min(1), group: z.string().min(1) })).optional(),
  /** Present when the policy lets the approvers grant a standing approval, at most this long. */
  standing: z.object({ maxSeconds: z.number().int().min(1) }).optional(),
  /**
   * Present when the policy offers an emergency path for this request (never otherwise): who may
   * invoke it (members of any of `groups`), and how soon after the fact an approver of the
   * required groups must review it.
   */
  breakGlass: z.object({ groups: z.array(z.string().min(1)).min(1), reviewWithinSeconds: z.number().int().min(1) }).optional(),
});

/**
 * What an approver asks for with an APPROVE vote: that identical requests (same agent and model,
 * action, resource, environment, classification, on-behalf-of and parameters) are approved without
 * asking for `seconds`, or (RUN) only those that also carry this request's run id.
 */
export const standingRequestSchema = z.object({ scope: z.enum(['DURATION', 'RUN']), seconds: z.number().int().min(1) });

/** A message of one type: its data, and the metadata every message carries. */
const messageSchema = <T extends string, D extends z.ZodType>(type: T, data: D) => z.object({ type: z.literal(type), data, metadata: messageMetadataSchema });

/** A ledger event relayed onto the bus (Topics.ledgerEvents). */
export const ledgerEventMessageSchema = z.object({
  type: z.string().min(1),
  data: jsonObject,
  metadata: messageMetadataSchema.extend({
    streamId: z.string().min(1),
    revision: z.number().int().min(0),
    position: z.string().regex(/^\d+$/),
    eventId: z.string().min(1),
  }),
});
export type LedgerEventMessage = z.infer<typeof ledgerEventMessageSchema>;

/** A policy evaluation result (Topics.policyEvaluations). */
export const policyEvaluatedMessageSchema = messageSchema('PolicyEvaluated', z.object({
  actionId: z.string().min(1),
  outcome: z.enum(['ALLOW', 'DENY', 'REQUIRE_APPROVAL']),
  policyVersion: z.string().min(1),
  determiningPolicies: z.array(z.string()),
  reasons: z.array(z.string()),
  requirement: approvalRequirementSchema.optional(),
  /** SHA-256 (hex) of the canonical request evaluated; the decision service checks it is the one recorded. */
  requestHash: z.string().regex(/^[0-9a-f]{64}$/),
  evaluatedAt: z.string(),
}));
export type PolicyEvaluatedMessage = z.infer<typeof policyEvaluatedMessageSchema>;

export const requestActionCommandSchema = messageSchema('RequestAction', z.object({
  actionId: z.string().min(1),
  request: actionRequestSchema,
  requestHash: z.string().min(1),
  /** The agent's accountable owner from the directory; never an approver of its actions. */
  agentOwner: z.string().min(1).optional(),
}));
export type RequestActionCommandMessage = z.infer<typeof requestActionCommandSchema>;

export const castVoteCommandSchema = messageSchema('CastVote', z.object({
  actionId: z.string().min(1),
  approverId: z.string().min(1),
  channel: z.string().min(1),
  decision: z.enum(['APPROVE', 'DENY']),
  comment: z.string().optional(),
  standing: standingRequestSchema.optional(),
}));
export type CastVoteCommandMessage = z.infer<typeof castVoteCommandSchema>;

/** A human acting on an action through a channel; the decision service resolves their groups. */
const humanActSchema = z.object({ actionId: z.string().min(1), humanId: z.string().min(1), channel: z.string().min(1) });

export const revokeStandingApprovalCommandSchema = messageSchema('RevokeStandingApproval', humanActSchema.extend({ reason: z.string().min(1) }));
export type RevokeStandingApprovalCommandMessage = z.infer<typeof revokeStandingApprovalCommandSchema>;

export const invokeBreakGlassCommandSchema = messageSchema('InvokeBreakGlass', humanActSchema.extend({ justification: z.string().min(1) }));
export type InvokeBreakGlassCommandMessage = z.infer<typeof invokeBreakGlassCommandSchema>;

export const reviewBreakGlassCommandSchema = messageSchema('ReviewBreakGlass', humanActSchema.extend({ verdict: z.enum(['JUSTIFIED', 'UNJUSTIFIED']), comment: z.string().min(1) }));
export type ReviewBreakGlassCommandMessage = z.infer<typeof reviewBreakGlassCommandSchema>;

export const cancelActionCommandSchema = messageSchema('CancelAction', z.object({ actionId: z.string().min(1), agentId: z.string().min(1), reason: z.string() }));
export type CancelActionCommandMessage = z.infer<typeof cancelActionCommandSchema>;

export const reportExecutionCommandSchema = messageSchema('ReportExecution', z.object({
  actionId: z.string().min(1),
  agentId: z.string().min(1),
  grantId: z.string().min(1),
  status: z.enum(['SUCCEEDED', 'FAILED']),
  detail: z.string(),
}));
export type ReportExecutionCommandMessage = z.infer<typeof reportExecutionCommandSchema>;

export const recordNotificationCommandSchema = messageSchema('RecordNotification', z.object({
  actionId: z.string().min(1),
  channel: z.string().min(1),
  target: z.string().min(1),
  purpose: z.enum(['APPROVAL', 'BREAK_GLASS']).optional(),
  error: z.string().max(2000).optional(),
}));
export type RecordNotificationCommandMessage = z.infer<typeof recordNotificationCommandSchema>;

/**
 * An agent presents an execution grant to run the action (`actionId` is what the token claims,
 * unverified, so the command reaches the action's partition; the decision service verifies it).
 */
export const escalateApprovalCommandSchema = messageSchema('EscalateApproval', z.object({ actionId: z.string().min(1) }));
export type EscalateApprovalCommandMessage = z.infer<typeof escalateApprovalCommandSchema>;

export const redeemGrantCommandSchema = messageSchema('RedeemGrant', z.object({
  actionId: z.string().min(1),
  agentId: z.string().min(1),
  token: z.string().min(1).max(8192),
  requestHash: z.string().regex(/^[0-9a-f]{64}$/),
}));
export type RedeemGrantCommandMessage = z.infer<typeof redeemGrantCommandSchema>;

/**
 * Every command of the decision service and the schema of its message: a new command is a compile
 * error here until it has one, and then in the decision service's handler table.
 */
export const commandMessageSchemas = {
  [Commands.requestAction]: requestActionCommandSchema,
  [Commands.castVote]: castVoteCommandSchema,
  [Commands.cancelAction]: cancelActionCommandSchema,
  [Commands.reportExecution]: reportExecutionCommandSchema,
  [Commands.recordNotification]: recordNotificationCommandSchema,
  [Commands.revokeStandingApproval]: revokeStandingApprovalCommandSchema,
  [Commands.invokeBreakGlass]: invokeBreakGlassCommandSchema,
  [Commands.reviewBreakGlass]: reviewBreakGlassCommandSchema,
  [Commands.redeemGrant]: redeemGrantCommandSchema,
  [Commands.escalateApproval]: escalateApprovalCommandSchema,
} as const satisfies { readonly [C in CommandName]: z.ZodType };

export type CommandMessageOf<C extends CommandName> = z.infer<(typeof commandMessageSchemas)[C]>;

/** The reply of every command: the outcome as a value, never an exception across the bus. */
export const commandReplySchema = z.discriminatedUnion('ok', [
  z.object({
    ok: z.literal(true),
    actionId: z.string(),
    status: z.string(),
    created: z.boolean().optional(),
    rejection: z.object({ reason: z.string(), detail: z.string() }).optional(),
  }),
  z.object({ ok: z.literal(false), code: z.string(), message: z.string() }),
]);
export type CommandReply = z.infer<typeof commandReplySchema>;

/** Parses a message or throws an error that names the first bad field. */
export function parseMessage<T>(schema: z.ZodType<T>, value: unknown, what: string): T {
  const result = schema.safeParse(value);
  if (!result.success) {
    const issue = result.error.issues[0];
    const path = issue?.path.join('.') || '(root)';
    throw new InvalidMessageError(`${what}: ${path}: ${issue?.message ?? 'invalid'}`);
  }
  return result.data;
}

export class InvalidMessageError extends Error {
  override readonly name: string = 'InvalidMessageError';
}

/**
 * A message a consumer gave up on (Topics.deadLetters): where it came from, why, and its payload
 * as received (text, or base64 when it was not UTF-8), so an operator can inspect and replay it.
 */
export const deadLetterSchema = z.object({
  topic: z.string().min(1),
  partition: z.number().int().min(0).optional(),
  offset: z.string().optional(),
  key: z.string(),
  /** The consumer group (service) that gave up. */
  group: z.string().min(1),
  error: z.string(),
  attempts: z.number().int().min(1),
  at: z.string(),
  payload: z.string(),
  payloadEncoding: z.enum(['utf8', 'base64']),
});
export type DeadLetterMessage = z.infer<typeof deadLetterSchema>;

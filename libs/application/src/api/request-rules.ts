import { z } from 'zod';
import type { FieldViolation } from '../errors';
import { ACTION_ID_PATTERN } from '../ids';

/**
 * The shape rules of every API request but RequestAction (see intake/request-validation.ts), in
 * one place: a zod schema per request over its fields as the API names them (proto field names),
 * each rule with the message a caller reads. `checkRequest` reports the first rule each field
 * breaks, in the schema's order, so a caller can fix every field in one go.
 */

/** The longest free text a person may attach (a comment, a reason, a justification). */
export const commentLimit = 2000;
/** The longest standing approval anyone may ask for, whatever a policy says: 30 days. */
export const standingSecondsLimit = 30 * 24 * 3600;

const actionId = z.string().trim().min(1, 'is required').regex(ACTION_ID_PATTERN, 'must be an action id (a lower-case UUID)');
const atMost = (max: number) => z.string().max(max, `must be at most ${max} characters`);
/** Required free text: trimmed, present, at most `commentLimit` characters. */
const requiredText = (missing: string) => z.string().trim().min(1, missing).max(commentLimit, `must be at most ${commentLimit} characters`);
const compactJws = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/;

const castVote = z
  .object({
    action_id: actionId,
    decision: z.string(),
    comment: z.string().trim(),
    /** Present when the vote asks for a standing approval (seconds > 0, or this run only). */
    standing: z.object({ seconds: z.number(), thisRunOnly: z.boolean() }).optional(),
  })
  .superRefine(({ decision, comment, standing }, ctx) => {
    const issue = (path: string, message: string) => ctx.addIssue({ code: 'custom', path: [path], message });
    if (decision !== 'APPROVE' && decision !== 'DENY') issue('decision', 'must be APPROVE or DENY');
    if (decision === 'DENY' && !comment) issue('comment', 'a reason is required when denying');
    else if (comment.length > commentLimit) issue('comment', `must be at most ${commentLimit} characters`);
    if (standing) {
      if (decision !== 'APPROVE') issue('standing', 'only an APPROVE vote can grant a standing approval');
      if (!Number.isInteger(standing.seconds) || standing.seconds < 1 || standing.seconds > standingSecondsLimit) {
        issue('standing.seconds', `must be between 1 and ${standingSecondsLimit} seconds`);
      }
    }
  });

export const requestRules = {
  /** Any request that names one action (GetAction, WatchAction, AwaitDecision, GetTimeline, proofs). */
  action: z.object({ action_id: actionId }),
  cancelAction: z.object({ action_id: actionId, reason: z.string().trim().pipe(atMost(2000)) }),
  reportExecution: z.object({
    action_id: actionId,
    grant_id: z.string().trim().min(1, 'is required'),
    status: z.string().pipe(z.enum(['SUCCEEDED', 'FAILED'], { error: 'must be SUCCEEDED or FAILED' })),
    detail: atMost(4096),
  }),
  redeemGrant: z.object({
    token: z.string().trim().min(1, 'is required').max(8192, 'must be at most 8192 characters').regex(compactJws, 'must be a compact JWS (three base64url parts)'),
    request_hash: z.string().trim().regex(/^[0-9a-f]{64}$/, 'must be the SHA-256 of the request, as 64 lower-case hex digits'),
  }),
  castVote,
  revokeStandingApproval: z.object({ action_id: actionId, reason: requiredText('is required: say why it is revoked') }),
  invokeBreakGlass: z.object({ action_id: actionId, justification: requiredText('is required: say why this cannot wait') }),
  reviewBreakGlass: z.object({
    action_id: actionId,
    verdict: z.string().pipe(z.enum(['JUSTIFIED', 'UNJUSTIFIED'], { error: 'must be JUSTIFIED or UNJUSTIFIED' })),
    comment: requiredText('is required: record what the review found'),
  }),
  // Filters end up in messages and queries: oversized ones are refused before anything else.
  searchActions: z.object({
    agent_id: atMost(200),
    action: atMost(100),
    environment: atMost(50),
    approver_id: atMost(200),
    requested_after: atMost(64),
    requested_before: atMost(64),
    page_token: atMost(2048),
  }),
  policyHistory: z.object({ version: atMost(100) }),
  consistencyProof: z.object({
    from_size: z.number().refine((size) => Number.isSafeInteger(size) && size > 0, 'must be the size of a signed checkpoint'),
    to_size: z.number().refine((size) => Number.isSafeInteger(size) && size >= 0, 'must be the size of a signed checkpoint, or 0 for the latest'),
  }),
} as const;

/** The checked, normalised fields; or, for each field that breaks a rule, the first rule it breaks. */
export function checkRequest<S extends z.ZodType>(schema: S, fields: z.input<S>): { ok: true; value: z.output<S> } | { ok: false; violations: FieldViolation[] } {
  const parsed = schema.safeParse(fields);
  if (parsed.success) return { ok: true, value: parsed.data };
  const violations: FieldViolation[] = [];
  for (const issue of parsed.error.issues) {
    const field = issue.path.join('.');
    if (!violations.some((v) => v.field === field)) violations.push({ field, description: issue.message });
  }
  return { ok: false, violations };
}

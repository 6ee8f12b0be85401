import { z } from 'zod';
import { approvalRequirementSchema, requestActionCommandSchema } from './messages';

/**
 * The data of the ledger events other services consume, as they travel on
 * `approvals.ledger-events.v1`. Consumers parse what they read with these before using it.
 */
/** ActionRequested carries what the RequestAction command carried, and when it was recorded. */
export const actionRequestedDataSchema = requestActionCommandSchema.shape.data.extend({ requestedAt: z.string().min(1) });

export const approvalRequestedDataSchema = z.object({
  actionId: z.string().min(1),
  requirement: approvalRequirementSchema,
  requestedAt: z.string().min(1),
  expiresAt: z.string().min(1),
});

export const voteCastDataSchema = z.object({
  actionId: z.string().min(1),
  approverId: z.string().min(1),
  channel: z.string().min(1),
  decision: z.enum(['APPROVE', 'DENY']),
  groups: z.array(z.string()),
  comment: z.string().optional(),
  castAt: z.string().min(1),
});

export const breakGlassInvokedDataSchema = z.object({
  actionId: z.string().min(1),
  invokedBy: z.string().min(1),
  channel: z.string().min(1),
  justification: z.string(),
  invokedByRequester: z.boolean(),
  reviewGroups: z.array(z.string().min(1)).min(1),
  invokedAt: z.string().min(1),
  reviewDueAt: z.string().min(1),
});

export const approvalEscalatedDataSchema = z.object({
  actionId: z.string().min(1),
  group: z.string().min(1),
  afterSeconds: z.number().int().min(1),
  escalatedAt: z.string().min(1),
});

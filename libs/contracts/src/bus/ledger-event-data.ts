import { z } from 'zod';
import { actionRequestSchema, approvalRequirementSchema } from './messages';

/**
 * The data of the ledger events other services consume, as they travel on
 * `approvals.ledger-events.v1`. Consumers parse what they read with these before using it.
 */
export const actionRequestedDataSchema = z.object({
  actionId: z.string().min(1),
  request: actionRequestSchema,
  requestHash: z.string().min(1),
  requestedAt: z.string().min(1),
  agentOwner: z.string().min(1).optional(),
});

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

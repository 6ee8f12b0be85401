import { join } from 'node:path';
import { configSection } from '@approvals/contracts';
import { z } from 'zod';
import { keyFile, positiveInt } from './common';

/** Grants, deadlines and waits: the decision service's and the intake's timing. */
export const decisionSection = configSection({
  env: {
    APPROVALS_GRANT_TTL_SECONDS: positiveInt(300),
    APPROVALS_GRANT_KEYS_FILE: z.string().min(1).optional(),
    APPROVALS_EXPIRY_CHECK_MS: positiveInt(250),
    APPROVALS_REACTION_RETRY_MS: positiveInt(30_000),
    APPROVALS_EVALUATION_MAX_ATTEMPTS: positiveInt(10),
    APPROVALS_AWAIT_DEFAULT_MS: positiveInt(30_000),
    APPROVALS_AWAIT_MAX_MS: positiveInt(300_000),
  },
  read: (c, { path, dataDir }) => ({
    grantTtlSeconds: c.APPROVALS_GRANT_TTL_SECONDS,
    /**
     * The grant signing keys (a JWK Set of private Ed25519 keys; the last one signs). From
     * APPROVALS_GRANT_KEYS_FILE, which must exist; else generated under the data directory on first start.
     */
    grantKeys: keyFile(c.APPROVALS_GRANT_KEYS_FILE, join(dataDir, 'keys', 'grant-signing-key.json'), path),
    expiryCheckMs: c.APPROVALS_EXPIRY_CHECK_MS,
    reactionRetryMs: c.APPROVALS_REACTION_RETRY_MS,
    evaluationMaxAttempts: c.APPROVALS_EVALUATION_MAX_ATTEMPTS,
    awaitDefaultMs: c.APPROVALS_AWAIT_DEFAULT_MS,
    awaitMaxMs: c.APPROVALS_AWAIT_MAX_MS,
  }),
});

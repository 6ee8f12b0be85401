import { ConfigProblem, configSection } from '@approvals/contracts';
import { z } from 'zod';
import { positiveInt } from './common';

/** How the notifier retries, reminds and digests, and the console's sessions and sign-in. */
export const notifierSection = configSection({
  env: {
    APPROVALS_DELIVERY_RETRY_MS: positiveInt(1000),
    APPROVALS_DIGEST_WINDOW_SECONDS: positiveInt(60),
    APPROVALS_REMINDER_BEFORE_SECONDS: z.coerce.number({ message: 'must be a number' }).int('must be a whole number').min(0).default(300),
    APPROVALS_CONSOLE_SECRET: z.string().min(32, 'must be at least 32 characters').optional(),
    APPROVALS_CONSOLE_URL: z.string().url('must be a URL').optional(),
    APPROVALS_CONSOLE_OIDC_ISSUER: z.string().url('must be a URL').optional(),
    APPROVALS_CONSOLE_OIDC_CLIENT_ID: z.string().min(1).optional(),
    APPROVALS_CONSOLE_OIDC_CLIENT_SECRET: z.string().min(1).optional(),
    APPROVALS_CONSOLE_OIDC_CLAIM: z.enum(['email', 'sub'], { message: 'must be email or sub' }).default('email'),
  },
  read(c) {
    if (c.APPROVALS_CONSOLE_OIDC_ISSUER && (!c.APPROVALS_CONSOLE_OIDC_CLIENT_ID || !c.APPROVALS_CONSOLE_OIDC_CLIENT_SECRET || !c.APPROVALS_CONSOLE_URL)) {
      throw new ConfigProblem('APPROVALS_CONSOLE_OIDC_ISSUER needs APPROVALS_CONSOLE_OIDC_CLIENT_ID, APPROVALS_CONSOLE_OIDC_CLIENT_SECRET and APPROVALS_CONSOLE_URL');
    }
    const consoleOidc: { issuer: string; clientId: string; clientSecret: string; consoleUrl: string; claim: 'email' | 'sub' } | undefined = c.APPROVALS_CONSOLE_OIDC_ISSUER
      ? {
          issuer: c.APPROVALS_CONSOLE_OIDC_ISSUER,
          clientId: c.APPROVALS_CONSOLE_OIDC_CLIENT_ID!,
          clientSecret: c.APPROVALS_CONSOLE_OIDC_CLIENT_SECRET!,
          consoleUrl: c.APPROVALS_CONSOLE_URL!,
          claim: c.APPROVALS_CONSOLE_OIDC_CLAIM,
        }
      : undefined;
    return {
      /** First delay before a failed delivery to a channel is tried again (doubling, at most 60 s). */
      deliveryRetryMs: c.APPROVALS_DELIVERY_RETRY_MS,
      /** Personal notices beyond the first to one person within this window go out as one digest. */
      digestWindowSeconds: c.APPROVALS_DIGEST_WINDOW_SECONDS,
      /** Approvers are reminded this long before a request expires (0: never). */
      reminderBeforeSeconds: c.APPROVALS_REMINDER_BEFORE_SECONDS,
      /** Signs the console's session cookies (APPROVALS_CONSOLE_SECRET); a per-process key when unset. */
      ...(c.APPROVALS_CONSOLE_SECRET ? { consoleSecret: c.APPROVALS_CONSOLE_SECRET } : {}),
      /** OpenID Connect sign-in for the console (APPROVALS_CONSOLE_OIDC_* and APPROVALS_CONSOLE_URL). */
      ...(consoleOidc ? { consoleOidc } : {}),
    };
  },
});

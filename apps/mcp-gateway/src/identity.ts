import { readFileSync } from 'node:fs';
import type { ApprovalsOptions } from '@approvals/sdk';
import type { GatewayConfig } from './config';

/** How the gateway reaches the approvals service (an agent's credentials, unless HTTP callers bring their own). */
export type ApprovalsConnection = ApprovalsOptions;

export function approvalsConnection(config: GatewayConfig): ApprovalsConnection {
  const { address, apiKey, bearerToken, tls } = config.approvals;
  return {
    address,
    apiKey,
    bearerToken,
    ...(tls
      ? { tls: { ca: readFileSync(tls.ca), ...(tls.cert ? { cert: readFileSync(tls.cert) } : {}), ...(tls.key ? { key: readFileSync(tls.key) } : {}) } }
      : {}),
  };
}

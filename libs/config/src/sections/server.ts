import { isIP } from 'node:net';
import { configSection } from '@approvals/contracts';
import { z } from 'zod';
import { port } from './common';

/**
 * APPROVALS_HTTP_TRUST_PROXY: empty (trust nobody: the client is the peer of the connection), a
 * number of proxy hops, or addresses and subnets of the proxies (or `loopback`, `linklocal`,
 * `uniquelocal`), comma-separated.
 */
export function parseTrustProxy(value: string): false | number | string[] {
  const text = value.trim();
  if (text === '') return false;
  if (/^\d+$/.test(text)) return Number(text);
  const entries = text.split(',').map((entry) => entry.trim()).filter(Boolean);
  for (const entry of entries) {
    const [address, prefix, ...rest] = entry.split('/');
    const named = ['loopback', 'linklocal', 'uniquelocal'].includes(entry);
    const bits = isIP(address ?? '') === 6 ? 128 : 32;
    const prefixOk = prefix === undefined || (/^\d+$/.test(prefix) && Number(prefix) <= bits);
    if (!named && (isIP(address ?? '') === 0 || !prefixOk || rest.length > 0)) {
      throw new TypeError(`must be a number of hops or addresses/subnets of proxies (or loopback, linklocal, uniquelocal), comma-separated; "${entry}" is none`);
    }
  }
  return entries;
}

/** Where the service listens and what it loads at start-up. */
export const serverSection = configSection({
  env: {
    APPROVALS_DATA_DIR: z.string().min(1).default('.data'),
    APPROVALS_HOST: z.string().min(1).default('127.0.0.1'),
    APPROVALS_GRPC_PORT: port(50051),
    APPROVALS_HTTP_PORT: port(8080),
    APPROVALS_POLICY_DIR: z.string().min(1).default('policies/demo'),
    APPROVALS_DIRECTORY_FILE: z.string().min(1).default('policies/demo/directory.json'),
    APPROVALS_HTTP_RATE_LIMIT: z.coerce.number({ message: 'must be a number' }).int('must be a whole number').min(0, 'must be 0 (off) or more').default(600),
    APPROVALS_HTTP_TRUST_PROXY: z
      .string()
      .default('')
      .transform((value, ctx) => {
        try {
          return parseTrustProxy(value);
        } catch (error) {
          ctx.addIssue({ code: 'custom', message: (error as Error).message });
          return z.NEVER;
        }
      }),
    LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  },
  read: (c, { path, dataDir }) => ({
    dataDir,
    host: c.APPROVALS_HOST,
    grpcPort: c.APPROVALS_GRPC_PORT,
    httpPort: c.APPROVALS_HTTP_PORT,
    policyDir: path(c.APPROVALS_POLICY_DIR),
    directoryFile: path(c.APPROVALS_DIRECTORY_FILE),
    logLevel: c.LOG_LEVEL as string,
    /** Requests per minute per client address on the HTTP port (APPROVALS_HTTP_RATE_LIMIT); 0: no limit. */
    httpRateLimitPerMinute: c.APPROVALS_HTTP_RATE_LIMIT,
    /** Which proxies in front of the HTTP port may name the client (APPROVALS_HTTP_TRUST_PROXY), as Express's `trust proxy`. */
    httpTrustProxy: c.APPROVALS_HTTP_TRUST_PROXY,
  }),
});

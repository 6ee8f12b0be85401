import { isIP } from 'node:net';
import { isAbsolute, join, resolve } from 'node:path';
import { z } from 'zod';
import { LEDGER_FILE_NAME, LEDGER_LOG_FILE_NAME } from '@approvals/ledger-sqlite';
import { READ_MODEL_FILE_NAME } from '@approvals/read-model';
import { parseBrokers } from '@approvals/bus';
import type { LedgerSpec } from '@approvals/ledger';
import type { ReadModelSpec } from '@approvals/read-model';
import { validSchemaName } from '@approvals/postgres';
import { ALLOWED_JWT_ALGORITHMS, type BearerTokenOptions } from '@approvals/identity';

const port = (fallback: number) =>
  z.coerce
    .number({ message: 'must be a number' })
    .int('must be a whole number')
    .min(0, 'must be between 0 and 65535')
    .max(65535, 'must be between 0 and 65535')
    .default(fallback);

const positiveInt = (fallback: number) =>
  z.coerce.number({ message: 'must be a number' }).int('must be a whole number').positive('must be positive').default(fallback);

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

const schema = z.object({
  APPROVALS_DATA_DIR: z.string().min(1).default('.data'),
  APPROVALS_HOST: z.string().min(1).default('127.0.0.1'),
  APPROVALS_GRPC_PORT: port(50051),
  APPROVALS_HTTP_PORT: port(8080),
  APPROVALS_POLICY_DIR: z.string().min(1).default('policies/demo'),
  APPROVALS_DIRECTORY_FILE: z.string().min(1).default('policies/demo/directory.json'),
  APPROVALS_GRANT_TTL_SECONDS: positiveInt(300),
  APPROVALS_GRANT_KEYS_FILE: z.string().min(1).optional(),
  APPROVALS_LOG_ORIGIN: z
    .string()
    .regex(/^[\x21-\x7e]+$/, 'must be one word of printable ASCII, such as approvals.example.com/ledger')
    .refine((origin) => !origin.includes('+'), 'must not contain "+"')
    .default('approvals.local/ledger'),
  APPROVALS_CHECKPOINT_KEYS_FILE: z.string().min(1).optional(),
  APPROVALS_LEDGER_LOG: z.enum(['on', 'off'], { error: 'must be on or off' }).default('on'),
  APPROVALS_CHECKPOINT_EVERY: positiveInt(1000),
  APPROVALS_CHECKPOINT_INTERVAL_MS: positiveInt(30_000),
  APPROVALS_WITNESS_FILE: z.string().min(1).optional(),
  APPROVALS_WITNESS_WEBHOOK_URL: z.string().url('must be a URL').optional(),
  APPROVALS_WITNESS_WEBHOOK_SECRET: z.string().regex(/^whsec_[A-Za-z0-9+/=]{16,}$/, 'must be a Standard Webhooks secret (whsec_ and base64)').optional(),
  APPROVALS_EXPIRY_CHECK_MS: positiveInt(250),
  APPROVALS_SQLITE_CHECKPOINT_MS: positiveInt(50),
  APPROVALS_SQLITE_WAL_MAX_MB: positiveInt(64),
  APPROVALS_REACTION_RETRY_MS: positiveInt(30_000),
  APPROVALS_EVALUATION_MAX_ATTEMPTS: positiveInt(10),
  APPROVALS_AWAIT_DEFAULT_MS: positiveInt(30_000),
  APPROVALS_AWAIT_MAX_MS: positiveInt(300_000),
  APPROVALS_KAFKA_BROKERS: z
    .string()
    .default('127.0.0.1:9092')
    .transform((list, ctx) => {
      try {
        return parseBrokers(list);
      } catch (error) {
        ctx.addIssue({ code: 'custom', message: `must list brokers as host:port[,host:port...]: ${(error as Error).message}` });
        return z.NEVER;
      }
    }),
  APPROVALS_KAFKA_NAMESPACE: z
    .string()
    .regex(/^[A-Za-z0-9_-]*$/, 'may only hold letters, digits, "_" and "-"')
    .max(100, 'must be at most 100 characters')
    .default(''),
  APPROVALS_COMMAND_TIMEOUT_MS: positiveInt(10_000),
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
  APPROVALS_LEDGER_STORE: z.enum(['embedded', 'postgres', 'kurrentdb'], { message: 'must be embedded, postgres or kurrentdb' }).default('embedded'),
  APPROVALS_POSTGRES_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// connection string')
    .optional(),
  APPROVALS_POSTGRES_SCHEMA: z.string().regex(validSchemaName, 'must be a lower-case identifier (letters, digits, _)').default('approvals'),
  APPROVALS_READ_MODEL_STORE: z.enum(['embedded', 'postgres'], { message: 'must be embedded or postgres' }).default('embedded'),
  APPROVALS_READ_MODEL_SCHEMA: z.string().regex(validSchemaName, 'must be a lower-case identifier (letters, digits, _)').default('approvals_read_model'),
  APPROVALS_LEDGER_LOG_SCHEMA: z.string().regex(validSchemaName, 'must be a lower-case identifier (letters, digits, _)').default('approvals_ledger_log'),
  APPROVALS_KURRENTDB_CONNECTION_STRING: z
    .string()
    .regex(/^(kurrentdb|kdb|esdb|kurrentdb\+discover|esdb\+discover):\/\//, 'must be a kurrentdb:// (or esdb://) connection string')
    .optional(),
  APPROVALS_AUTH: z
    .string()
    .default('api-key')
    .transform((list, ctx) => {
      const modes = list.split(',').map((mode) => mode.trim()).filter(Boolean);
      const unknown = modes.filter((mode) => mode !== 'api-key' && mode !== 'jwt' && mode !== 'mtls');
      if (modes.length === 0 || unknown.length > 0) {
        ctx.addIssue({ code: 'custom', message: `must list any of api-key, jwt and mtls${unknown.length ? `; unknown: ${unknown.join(', ')}` : ''}` });
        return z.NEVER;
      }
      return [...new Set(modes)] as ('api-key' | 'jwt' | 'mtls')[];
    }),
  APPROVALS_GRPC_TLS_CERT: z.string().min(1).optional(),
  APPROVALS_GRPC_TLS_KEY: z.string().min(1).optional(),
  APPROVALS_GRPC_TLS_CLIENT_CA: z.string().min(1).optional(),
  APPROVALS_MTLS_TRUST_DOMAIN: z
    .string()
    .regex(/^[a-z0-9.-]+$/, 'must be a trust domain such as approvals.example.com (lower-case letters, digits, "." and "-")')
    .optional(),
  APPROVALS_SLACK_BOT_TOKEN: z.string().regex(/^xox[bp]-/, 'must be a Slack bot token (xoxb-...)').optional(),
  APPROVALS_SLACK_SIGNING_SECRET: z.string().min(16, 'must be the app signing secret (at least 16 characters)').optional(),
  APPROVALS_SLACK_DEFAULT_CHANNEL: z.string().min(1).default('#approvals'),
  APPROVALS_SLACK_API_URL: z.string().url('must be a URL').optional(),
  APPROVALS_TEAMS_APP_ID: z.string().min(1).optional(),
  APPROVALS_TEAMS_APP_PASSWORD: z.string().min(1).optional(),
  APPROVALS_TEAMS_CONVERSATIONS_FILE: z.string().min(1).optional(),
  APPROVALS_TEAMS_OPENID_METADATA_URL: z.string().url('must be a URL').optional(),
  APPROVALS_TEAMS_TOKEN_URL: z.string().url('must be a URL').optional(),
  APPROVALS_TEAMS_WORKFLOW_URL: z.string().url('must be a URL').optional(),
  APPROVALS_CONSOLE_SECRET: z.string().min(32, 'must be at least 32 characters').optional(),
  APPROVALS_CONSOLE_URL: z.string().url('must be a URL').optional(),
  APPROVALS_CONSOLE_OIDC_ISSUER: z.string().url('must be a URL').optional(),
  APPROVALS_CONSOLE_OIDC_CLIENT_ID: z.string().min(1).optional(),
  APPROVALS_CONSOLE_OIDC_CLIENT_SECRET: z.string().min(1).optional(),
  APPROVALS_CONSOLE_OIDC_CLAIM: z.enum(['email', 'sub'], { message: 'must be email or sub' }).default('email'),
  APPROVALS_DELIVERY_RETRY_MS: positiveInt(1000),
  APPROVALS_DIGEST_WINDOW_SECONDS: positiveInt(60),
  APPROVALS_REMINDER_BEFORE_SECONDS: z.coerce.number({ message: 'must be a number' }).int('must be a whole number').min(0).default(300),
  APPROVALS_WEBHOOKS_FILE: z.string().min(1).optional(),
  APPROVALS_JWT_ISSUER: z.string().min(1).optional(),
  APPROVALS_JWT_AUDIENCE: z.string().min(1).optional(),
  APPROVALS_JWT_JWKS_FILE: z.string().min(1).optional(),
  APPROVALS_JWT_JWKS_URL: z.string().url('must be a URL').optional(),
  APPROVALS_JWT_ALGORITHMS: z
    .string()
    .default('EdDSA,ES256,RS256')
    .transform((list, ctx) => {
      const algorithms = list.split(',').map((alg) => alg.trim()).filter(Boolean);
      const refused = algorithms.filter((alg) => !(ALLOWED_JWT_ALGORITHMS as readonly string[]).includes(alg));
      if (algorithms.length === 0 || refused.length > 0) {
        ctx.addIssue({ code: 'custom', message: `must list asymmetric algorithms from ${ALLOWED_JWT_ALGORITHMS.join(', ')} (never none or HS*)${refused.length ? `; refused: ${refused.join(', ')}` : ''}` });
        return z.NEVER;
      }
      return algorithms;
    }),
  APPROVALS_JWT_CLOCK_SKEW_SECONDS: z.coerce.number({ message: 'must be a number' }).int('must be a whole number').min(0).max(300, 'must be at most 300').default(60),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
});

/** The validated configuration; nothing else reads process.env. */
export interface AppConfig {
  dataDir: string;
  host: string;
  grpcPort: number;
  httpPort: number;
  policyDir: string;
  directoryFile: string;
  grantTtlSeconds: number;
  /**
   * The grant signing keys (a JWK Set of private Ed25519 keys; the last one signs). From
   * APPROVALS_GRANT_KEYS_FILE, which must exist; else generated under the data directory on first start.
   */
  grantKeys: { file: string; generateIfMissing: boolean };
  /**
   * Signed checkpoints of the ledger's Merkle tree (I8): the log's origin line, the signing keys
   * (APPROVALS_CHECKPOINT_KEYS_FILE, which must exist; else generated under the data directory),
   * how often (every N events or T ms, whichever comes first), and the witnesses outside the
   * database: an append-only file (default under the data directory) and an optional signed webhook.
   */
  checkpoints: {
    /** APPROVALS_LEDGER_LOG: off only to measure what the log costs (npm run bench -- --mode verify); no stream is checked then. */
    enabled: boolean;
    origin: string;
    keys: { file: string; generateIfMissing: boolean };
    everyEvents: number;
    intervalMs: number;
    witnessFile: string;
    witnessWebhook?: { url: string; secret: string } | undefined;
  };
  expiryCheckMs: number;
  sqliteCheckpointMs: number;
  /** The bound on each SQLite write-ahead log (APPROVALS_SQLITE_WAL_MAX_MB), in bytes. */
  sqliteWalMaxBytes: number;
  reactionRetryMs: number;
  evaluationMaxAttempts: number;
  awaitDefaultMs: number;
  awaitMaxMs: number;
  logLevel: string;
  /** Distributed mode only: the broker, and a prefix for topics and groups so systems can share it. */
  kafka: { brokers: string[]; namespace: string };
  /** Distributed mode only: how long a command waits for the decision service's reply. */
  commandTimeoutMs: number;
  /** Requests per minute per client address on the HTTP port (APPROVALS_HTTP_RATE_LIMIT); 0: no limit. */
  httpRateLimitPerMinute: number;
  /** Which proxies in front of the HTTP port may name the client (APPROVALS_HTTP_TRUST_PROXY), as Express's `trust proxy`. */
  httpTrustProxy: false | number | string[];
  /** Which ledger adapter, and where (APPROVALS_LEDGER_STORE and its connection settings). */
  ledger: LedgerSpec;
  /** Where the audit projector keeps its read model (APPROVALS_READ_MODEL_STORE). */
  readModel: ReadModelSpec;
  /**
   * How callers prove who they are (APPROVALS_AUTH): `api-key` (the directory's demo keys, for the
   * embedded demo) and/or `jwt` (bearer tokens of the configured issuer).
   */
  auth: { apiKeys: boolean; jwt?: BearerTokenOptions | undefined; mtls?: { trustDomain: string } | undefined };
  /**
   * TLS on the gRPC port (APPROVALS_GRPC_TLS_CERT and _KEY, PEM files); with a client CA
   * (APPROVALS_GRPC_TLS_CLIENT_CA) every client must present a certificate it issued.
   */
  grpcTls?: { certFile: string; keyFile: string; clientCaFile?: string | undefined } | undefined;
  /** The Teams bot (APPROVALS_TEAMS_*): app credentials, the conversations it posts to, and where Bot Framework's keys and tokens come from. */
  teams?:
    | { appId: string; appPassword: string; conversationsFile?: string | undefined; openIdMetadataUrl?: string | undefined; tokenUrl?: string | undefined }
    | undefined;
  /** Signs the console's session cookies (APPROVALS_CONSOLE_SECRET); a per-process key when unset. */
  consoleSecret?: string | undefined;
  /** OpenID Connect sign-in for the console (APPROVALS_CONSOLE_OIDC_* and APPROVALS_CONSOLE_URL). */
  consoleOidc?: { issuer: string; clientId: string; clientSecret: string; consoleUrl: string; claim: 'email' | 'sub' } | undefined;
  /** A notify-only Teams Workflows webhook (APPROVALS_TEAMS_WORKFLOW_URL). */
  teamsWorkflowUrl?: string | undefined;
  /** Signed webhook endpoints (APPROVALS_WEBHOOKS_FILE), which policies name as `webhook:<name>`. */
  webhooksFile?: string | undefined;
  /** First delay before a failed delivery to a channel is tried again (doubling, at most 60 s). */
  deliveryRetryMs: number;
  /** Personal notices beyond the first to one person within this window go out as one digest. */
  digestWindowSeconds: number;
  /** Approvers are reminded this long before a request expires (0: never). */
  reminderBeforeSeconds: number;
  /** The Slack app, when configured (APPROVALS_SLACK_*): the notifier delivers there and takes clicks. */
  slack?: { botToken: string; signingSecret: string; defaultChannel: string; apiUrl?: string | undefined } | undefined;
}

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

/** Reads and validates the configuration once at start-up; errors name the bad setting. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env, cwd: string = process.cwd()): AppConfig {
  const parsed = schema.safeParse(env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((issue) => {
      const name = String(issue.path[0]);
      return `  ${name}=${JSON.stringify(env[name] ?? '')}: ${issue.message}`;
    });
    throw new ConfigError(`invalid configuration:\n${lines.join('\n')}`);
  }
  const c = parsed.data;
  const missing = (name: string) => new ConfigError(`invalid configuration:\n  ${name} is required when APPROVALS_LEDGER_STORE=${c.APPROVALS_LEDGER_STORE}`);
  if (c.APPROVALS_LEDGER_STORE === 'postgres' && !c.APPROVALS_POSTGRES_URL) throw missing('APPROVALS_POSTGRES_URL');
  if (c.APPROVALS_LEDGER_STORE === 'kurrentdb' && !c.APPROVALS_KURRENTDB_CONNECTION_STRING) throw missing('APPROVALS_KURRENTDB_CONNECTION_STRING');
  if (c.APPROVALS_READ_MODEL_STORE === 'postgres' && !c.APPROVALS_POSTGRES_URL) {
    throw new ConfigError('invalid configuration:\n  APPROVALS_POSTGRES_URL is required when APPROVALS_READ_MODEL_STORE=postgres');
  }
  const path = (p: string) => (isAbsolute(p) ? p : resolve(cwd, p));
  let jwt: BearerTokenOptions | undefined;
  if (c.APPROVALS_AUTH.includes('jwt')) {
    const required = (name: string, value: string | undefined) => {
      if (!value) throw new ConfigError(`invalid configuration:\n  ${name} is required when APPROVALS_AUTH includes jwt`);
      return value;
    };
    if (!c.APPROVALS_JWT_JWKS_FILE === !c.APPROVALS_JWT_JWKS_URL) {
      throw new ConfigError('invalid configuration:\n  exactly one of APPROVALS_JWT_JWKS_FILE and APPROVALS_JWT_JWKS_URL is required when APPROVALS_AUTH includes jwt');
    }
    jwt = {
      issuer: required('APPROVALS_JWT_ISSUER', c.APPROVALS_JWT_ISSUER),
      audience: required('APPROVALS_JWT_AUDIENCE', c.APPROVALS_JWT_AUDIENCE),
      algorithms: c.APPROVALS_JWT_ALGORITHMS,
      clockSkewSeconds: c.APPROVALS_JWT_CLOCK_SKEW_SECONDS,
      ...(c.APPROVALS_JWT_JWKS_FILE ? { jwksFile: path(c.APPROVALS_JWT_JWKS_FILE) } : { jwksUrl: c.APPROVALS_JWT_JWKS_URL }),
    };
  }
  if (!c.APPROVALS_GRPC_TLS_CERT !== !c.APPROVALS_GRPC_TLS_KEY) {
    throw new ConfigError('invalid configuration:\n  APPROVALS_GRPC_TLS_CERT and APPROVALS_GRPC_TLS_KEY go together');
  }
  if (c.APPROVALS_GRPC_TLS_CLIENT_CA && !c.APPROVALS_GRPC_TLS_CERT) {
    throw new ConfigError('invalid configuration:\n  APPROVALS_GRPC_TLS_CLIENT_CA needs APPROVALS_GRPC_TLS_CERT and APPROVALS_GRPC_TLS_KEY');
  }
  if (c.APPROVALS_AUTH.includes('mtls') && (!c.APPROVALS_GRPC_TLS_CLIENT_CA || !c.APPROVALS_MTLS_TRUST_DOMAIN)) {
    throw new ConfigError(
      'invalid configuration:\n  APPROVALS_AUTH=mtls needs APPROVALS_GRPC_TLS_CERT, APPROVALS_GRPC_TLS_KEY, APPROVALS_GRPC_TLS_CLIENT_CA and APPROVALS_MTLS_TRUST_DOMAIN',
    );
  }
  if (c.APPROVALS_CONSOLE_OIDC_ISSUER && (!c.APPROVALS_CONSOLE_OIDC_CLIENT_ID || !c.APPROVALS_CONSOLE_OIDC_CLIENT_SECRET || !c.APPROVALS_CONSOLE_URL)) {
    throw new ConfigError(
      'invalid configuration:\n  APPROVALS_CONSOLE_OIDC_ISSUER needs APPROVALS_CONSOLE_OIDC_CLIENT_ID, APPROVALS_CONSOLE_OIDC_CLIENT_SECRET and APPROVALS_CONSOLE_URL',
    );
  }
  if (!c.APPROVALS_TEAMS_APP_ID !== !c.APPROVALS_TEAMS_APP_PASSWORD) {
    throw new ConfigError('invalid configuration:\n  APPROVALS_TEAMS_APP_ID and APPROVALS_TEAMS_APP_PASSWORD go together');
  }
  if (!c.APPROVALS_WITNESS_WEBHOOK_URL !== !c.APPROVALS_WITNESS_WEBHOOK_SECRET) {
    throw new ConfigError('invalid configuration:\n  APPROVALS_WITNESS_WEBHOOK_URL and APPROVALS_WITNESS_WEBHOOK_SECRET go together');
  }
  if (!c.APPROVALS_SLACK_BOT_TOKEN !== !c.APPROVALS_SLACK_SIGNING_SECRET) {
    throw new ConfigError('invalid configuration:\n  APPROVALS_SLACK_BOT_TOKEN and APPROVALS_SLACK_SIGNING_SECRET go together');
  }
  return {
    dataDir: path(c.APPROVALS_DATA_DIR),
    host: c.APPROVALS_HOST,
    grpcPort: c.APPROVALS_GRPC_PORT,
    httpPort: c.APPROVALS_HTTP_PORT,
    policyDir: path(c.APPROVALS_POLICY_DIR),
    directoryFile: path(c.APPROVALS_DIRECTORY_FILE),
    grantTtlSeconds: c.APPROVALS_GRANT_TTL_SECONDS,
    grantKeys: c.APPROVALS_GRANT_KEYS_FILE
      ? { file: path(c.APPROVALS_GRANT_KEYS_FILE), generateIfMissing: false }
      : { file: join(path(c.APPROVALS_DATA_DIR), 'keys', 'grant-signing-key.json'), generateIfMissing: true },
    checkpoints: {
      enabled: c.APPROVALS_LEDGER_LOG === 'on',
      origin: c.APPROVALS_LOG_ORIGIN,
      keys: c.APPROVALS_CHECKPOINT_KEYS_FILE
        ? { file: path(c.APPROVALS_CHECKPOINT_KEYS_FILE), generateIfMissing: false }
        : { file: join(path(c.APPROVALS_DATA_DIR), 'keys', 'checkpoint-signing-key.json'), generateIfMissing: true },
      everyEvents: c.APPROVALS_CHECKPOINT_EVERY,
      intervalMs: c.APPROVALS_CHECKPOINT_INTERVAL_MS,
      witnessFile: path(c.APPROVALS_WITNESS_FILE ?? join(c.APPROVALS_DATA_DIR, 'witness', 'checkpoints.jsonl')),
      ...(c.APPROVALS_WITNESS_WEBHOOK_URL ? { witnessWebhook: { url: c.APPROVALS_WITNESS_WEBHOOK_URL, secret: c.APPROVALS_WITNESS_WEBHOOK_SECRET! } } : {}),
    },
    expiryCheckMs: c.APPROVALS_EXPIRY_CHECK_MS,
    sqliteCheckpointMs: c.APPROVALS_SQLITE_CHECKPOINT_MS,
    sqliteWalMaxBytes: c.APPROVALS_SQLITE_WAL_MAX_MB * 2 ** 20,
    reactionRetryMs: c.APPROVALS_REACTION_RETRY_MS,
    evaluationMaxAttempts: c.APPROVALS_EVALUATION_MAX_ATTEMPTS,
    awaitDefaultMs: c.APPROVALS_AWAIT_DEFAULT_MS,
    awaitMaxMs: c.APPROVALS_AWAIT_MAX_MS,
    logLevel: c.LOG_LEVEL,
    kafka: { brokers: c.APPROVALS_KAFKA_BROKERS, namespace: c.APPROVALS_KAFKA_NAMESPACE },
    commandTimeoutMs: c.APPROVALS_COMMAND_TIMEOUT_MS,
    httpRateLimitPerMinute: c.APPROVALS_HTTP_RATE_LIMIT,
    httpTrustProxy: c.APPROVALS_HTTP_TRUST_PROXY,
    ledger:
      c.APPROVALS_LEDGER_STORE === 'postgres'
        ? { store: 'postgres', connectionString: c.APPROVALS_POSTGRES_URL!, schema: c.APPROVALS_POSTGRES_SCHEMA }
        : c.APPROVALS_LEDGER_STORE === 'kurrentdb'
          ? {
              store: 'kurrentdb',
              connectionString: c.APPROVALS_KURRENTDB_CONNECTION_STRING!,
              // Its log: in PostgreSQL when there is one (every replica shares it), else beside the data.
              ...(c.APPROVALS_LEDGER_LOG === 'off'
                ? {}
                : {
                    log: c.APPROVALS_POSTGRES_URL
                      ? { store: 'postgres' as const, connectionString: c.APPROVALS_POSTGRES_URL, schema: c.APPROVALS_LEDGER_LOG_SCHEMA }
                      : { store: 'embedded' as const, file: join(path(c.APPROVALS_DATA_DIR), LEDGER_LOG_FILE_NAME) },
                  }),
            }
          : { store: 'embedded', file: join(path(c.APPROVALS_DATA_DIR), LEDGER_FILE_NAME) },
    readModel:
      c.APPROVALS_READ_MODEL_STORE === 'postgres'
        ? { store: 'postgres', connectionString: c.APPROVALS_POSTGRES_URL!, schema: c.APPROVALS_READ_MODEL_SCHEMA }
        : { store: 'embedded', file: join(path(c.APPROVALS_DATA_DIR), READ_MODEL_FILE_NAME) },
    deliveryRetryMs: c.APPROVALS_DELIVERY_RETRY_MS,
    reminderBeforeSeconds: c.APPROVALS_REMINDER_BEFORE_SECONDS,
    digestWindowSeconds: c.APPROVALS_DIGEST_WINDOW_SECONDS,
    ...(c.APPROVALS_WEBHOOKS_FILE ? { webhooksFile: path(c.APPROVALS_WEBHOOKS_FILE) } : {}),
    ...(c.APPROVALS_TEAMS_WORKFLOW_URL ? { teamsWorkflowUrl: c.APPROVALS_TEAMS_WORKFLOW_URL } : {}),
    ...(c.APPROVALS_CONSOLE_SECRET ? { consoleSecret: c.APPROVALS_CONSOLE_SECRET } : {}),
    ...(c.APPROVALS_CONSOLE_OIDC_ISSUER
      ? {
          consoleOidc: {
            issuer: c.APPROVALS_CONSOLE_OIDC_ISSUER,
            clientId: c.APPROVALS_CONSOLE_OIDC_CLIENT_ID!,
            clientSecret: c.APPROVALS_CONSOLE_OIDC_CLIENT_SECRET!,
            consoleUrl: c.APPROVALS_CONSOLE_URL!,
            claim: c.APPROVALS_CONSOLE_OIDC_CLAIM,
          },
        }
      : {}),
    ...(c.APPROVALS_TEAMS_APP_ID
      ? {
          teams: {
            appId: c.APPROVALS_TEAMS_APP_ID,
            appPassword: c.APPROVALS_TEAMS_APP_PASSWORD!,
            ...(c.APPROVALS_TEAMS_CONVERSATIONS_FILE ? { conversationsFile: path(c.APPROVALS_TEAMS_CONVERSATIONS_FILE) } : {}),
            ...(c.APPROVALS_TEAMS_OPENID_METADATA_URL ? { openIdMetadataUrl: c.APPROVALS_TEAMS_OPENID_METADATA_URL } : {}),
            ...(c.APPROVALS_TEAMS_TOKEN_URL ? { tokenUrl: c.APPROVALS_TEAMS_TOKEN_URL } : {}),
          },
        }
      : {}),
    auth: {
      apiKeys: c.APPROVALS_AUTH.includes('api-key'),
      ...(jwt ? { jwt } : {}),
      ...(c.APPROVALS_AUTH.includes('mtls') ? { mtls: { trustDomain: c.APPROVALS_MTLS_TRUST_DOMAIN! } } : {}),
    },
    ...(c.APPROVALS_SLACK_BOT_TOKEN
      ? {
          slack: {
            botToken: c.APPROVALS_SLACK_BOT_TOKEN,
            signingSecret: c.APPROVALS_SLACK_SIGNING_SECRET!,
            defaultChannel: c.APPROVALS_SLACK_DEFAULT_CHANNEL,
            ...(c.APPROVALS_SLACK_API_URL ? { apiUrl: c.APPROVALS_SLACK_API_URL } : {}),
          },
        }
      : {}),
    ...(c.APPROVALS_GRPC_TLS_CERT
      ? {
          grpcTls: {
            certFile: path(c.APPROVALS_GRPC_TLS_CERT),
            keyFile: path(c.APPROVALS_GRPC_TLS_KEY!),
            ...(c.APPROVALS_GRPC_TLS_CLIENT_CA ? { clientCaFile: path(c.APPROVALS_GRPC_TLS_CLIENT_CA) } : {}),
          },
        }
      : {}),
  };
}

/** Files under the data directory, named in one place. */
export const dataFiles = (config: Pick<AppConfig, 'dataDir'>) => ({
  ledger: join(config.dataDir, LEDGER_FILE_NAME),
  readModel: join(config.dataDir, READ_MODEL_FILE_NAME),
  notifier: join(config.dataDir, 'notifier.sqlite'),
});

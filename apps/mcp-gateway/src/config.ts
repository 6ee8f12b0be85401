import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { z } from 'zod';

/**
 * The gateway's configuration file (JSON): where the approvals service is and as whom to ask,
 * the upstream MCP servers, how their tools map to actions, and how to serve MCP clients.
 * `${NAME}` in any string is replaced by the environment variable NAME (for secrets).
 */

const serverName = z.string().regex(/^[a-z][a-z0-9-]{0,30}$/, 'must be a lower-case name of letters, digits and dashes (it prefixes tool names)');

const stdioUpstream = z
  .object({
    command: z.string().min(1),
    args: z.array(z.string()).default([]),
    env: z.record(z.string(), z.string()).default({}),
    cwd: z.string().optional(),
  })
  .strict();

const httpUpstream = z
  .object({
    url: z.string().url('must be an http(s) URL of a Streamable HTTP MCP endpoint'),
    headers: z.record(z.string(), z.string()).default({}),
  })
  .strict();

/** A template: "{name}" is replaced by the tool call's argument `name` (a string or number). */
const template = z.string().min(1).max(300);

const toolMapping = z
  .object({
    /** The ledger action, e.g. "fs.write"; default `mcp.<server>.<tool>`. */
    action: template.optional(),
    resource: z.object({ kind: template, id: template }).strict().optional(),
    environment: template.optional(),
    dataClassification: template.optional(),
    justification: template.optional(),
  })
  .strict();

const tlsFiles = z.object({ ca: z.string(), cert: z.string().optional(), key: z.string().optional() }).strict();

export const gatewayConfigSchema = z
  .object({
    approvals: z
      .object({
        /** host:port of every service (embedded), or one per service (distributed). */
        address: z.union([z.string().min(1), z.object({ intake: z.string(), decisions: z.string(), audit: z.string() }).strict()]),
        /** The agent's API key (stdio; and HTTP without bearer authentication). */
        apiKey: z.string().optional(),
        /** A bearer token for the service (stdio), when the agent authenticates with a JWT. */
        bearerToken: z.string().optional(),
        tls: tlsFiles.optional(),
        /** The service's published grant keys: grants are then also checked offline before they are redeemed. */
        jwksUrl: z.string().url().optional(),
      })
      .strict(),
    /** Defaults for every request; a tool's mapping overrides them. */
    request: z
      .object({
        model: z.string().min(1).optional(),
        environment: z.string().min(1).default('dev'),
        dataClassification: z.string().optional(),
        onBehalfOf: z.string().optional(),
      })
      .strict()
      .default({ environment: 'dev' }),
    upstreams: z.record(serverName, z.union([stdioUpstream, httpUpstream])).refine((u) => Object.keys(u).length > 0, 'name at least one upstream MCP server'),
    /** Per tool ("<server>.<tool>") or per server ("<server>.*"): how calls map to requests. */
    tools: z.record(z.string().regex(/^[a-z][a-z0-9-]*\.(\*|[^\s]+)$/, 'must be "<server>.<tool>" or "<server>.*"'), toolMapping).default({}),
    http: z
      .object({
        host: z.string().default('127.0.0.1'),
        port: z.number().int().min(0).max(65535).default(8765),
        /** Bearer JWTs of an identity provider: the agent is `sub`, and on-behalf-of comes from `onBehalfOfClaim`. */
        auth: z
          .object({
            issuer: z.string().min(1),
            audience: z.string().min(1),
            jwksUrl: z.string().url().optional(),
            jwksFile: z.string().optional(),
            onBehalfOfClaim: z.string().min(1).optional(),
          })
          .strict()
          .refine((a) => !a.jwksUrl !== !a.jwksFile, 'give exactly one of jwksUrl and jwksFile')
          .optional(),
      })
      .strict()
      .default({ host: '127.0.0.1', port: 8765 }),
    /** How long a call may wait for approvers before the gateway gives up and cancels it (default: the policy's own expiry). */
    maxWaitSeconds: z.number().int().positive().optional(),
  })
  .strict()
  .superRefine((config, ctx) => {
    for (const key of Object.keys(config.tools)) {
      const server = key.slice(0, key.indexOf('.'));
      if (!(server in config.upstreams)) ctx.addIssue({ code: 'custom', path: ['tools', key], message: `names no upstream "${server}"` });
    }
  });

export type GatewayConfig = z.infer<typeof gatewayConfigSchema>;
export type UpstreamConfig = GatewayConfig['upstreams'][string];
export type ToolMapping = z.infer<typeof toolMapping>;

export class GatewayConfigError extends Error {
  override readonly name = 'GatewayConfigError';
}

/** Reads, interpolates and validates a configuration file; relative paths are relative to it. */
export function loadGatewayConfig(file: string, env: NodeJS.ProcessEnv = process.env): GatewayConfig {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new GatewayConfigError(`cannot read the gateway configuration ${file}: ${(error as Error).message}`);
  }
  return parseGatewayConfig(interpolate(raw, env), dirname(resolve(file)));
}

export function parseGatewayConfig(raw: unknown, baseDir = process.cwd()): GatewayConfig {
  const parsed = gatewayConfigSchema.safeParse(raw);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join('.') || '(file)'}: ${issue.message}`);
    throw new GatewayConfigError(`the gateway configuration is not valid:\n  ${problems.join('\n  ')}`);
  }
  const config = parsed.data;
  for (const upstream of Object.values(config.upstreams)) if ('command' in upstream && upstream.cwd) upstream.cwd = resolve(baseDir, upstream.cwd);
  if (config.approvals.tls) {
    const tls = config.approvals.tls;
    config.approvals.tls = { ca: resolve(baseDir, tls.ca), ...(tls.cert ? { cert: resolve(baseDir, tls.cert) } : {}), ...(tls.key ? { key: resolve(baseDir, tls.key) } : {}) };
  }
  if (config.http.auth?.jwksFile) config.http.auth.jwksFile = resolve(baseDir, config.http.auth.jwksFile);
  return config;
}

/** Replaces `${NAME}` in every string with the environment variable; an unset variable is an error. */
function interpolate(value: unknown, env: NodeJS.ProcessEnv, path = '$'): unknown {
  if (typeof value === 'string') {
    return value.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g, (_match, name: string) => {
      const found = env[name];
      if (found === undefined) throw new GatewayConfigError(`${path} uses \${${name}}, but the environment variable ${name} is not set`);
      return found;
    });
  }
  if (Array.isArray(value)) return value.map((item, i) => interpolate(item, env, `${path}[${i}]`));
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, interpolate(item, env, `${path}.${key}`)]));
  }
  return value;
}

import { ConfigProblem, configSection } from '@approvals/contracts';
import { ALLOWED_JWT_ALGORITHMS, type BearerTokenOptions } from '@approvals/identity';
import { z } from 'zod';

type AuthMode = 'api-key' | 'jwt' | 'mtls';

/** How callers prove who they are, and TLS on the gRPC port. */
export const authSection = configSection({
  env: {
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
        return [...new Set(modes)] as AuthMode[];
      }),
    APPROVALS_GRPC_TLS_CERT: z.string().min(1).optional(),
    APPROVALS_GRPC_TLS_KEY: z.string().min(1).optional(),
    APPROVALS_GRPC_TLS_CLIENT_CA: z.string().min(1).optional(),
    APPROVALS_MTLS_TRUST_DOMAIN: z
      .string()
      .regex(/^[a-z0-9.-]+$/, 'must be a trust domain such as approvals.example.com (lower-case letters, digits, "." and "-")')
      .optional(),
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
  },
  read(c, { path }) {
    let jwt: BearerTokenOptions | undefined;
    if (c.APPROVALS_AUTH.includes('jwt')) {
      const required = (name: string, value: string | undefined) => {
        if (!value) throw new ConfigProblem(`${name} is required when APPROVALS_AUTH includes jwt`);
        return value;
      };
      if (!c.APPROVALS_JWT_JWKS_FILE === !c.APPROVALS_JWT_JWKS_URL) {
        throw new ConfigProblem('exactly one of APPROVALS_JWT_JWKS_FILE and APPROVALS_JWT_JWKS_URL is required when APPROVALS_AUTH includes jwt');
      }
      jwt = {
        issuer: required('APPROVALS_JWT_ISSUER', c.APPROVALS_JWT_ISSUER),
        audience: required('APPROVALS_JWT_AUDIENCE', c.APPROVALS_JWT_AUDIENCE),
        algorithms: c.APPROVALS_JWT_ALGORITHMS,
        clockSkewSeconds: c.APPROVALS_JWT_CLOCK_SKEW_SECONDS,
        ...(c.APPROVALS_JWT_JWKS_FILE ? { jwksFile: path(c.APPROVALS_JWT_JWKS_FILE) } : { jwksUrl: c.APPROVALS_JWT_JWKS_URL }),
      };
    }
    if (!c.APPROVALS_GRPC_TLS_CERT !== !c.APPROVALS_GRPC_TLS_KEY) throw new ConfigProblem('APPROVALS_GRPC_TLS_CERT and APPROVALS_GRPC_TLS_KEY go together');
    if (c.APPROVALS_GRPC_TLS_CLIENT_CA && !c.APPROVALS_GRPC_TLS_CERT) {
      throw new ConfigProblem('APPROVALS_GRPC_TLS_CLIENT_CA needs APPROVALS_GRPC_TLS_CERT and APPROVALS_GRPC_TLS_KEY');
    }
    if (c.APPROVALS_AUTH.includes('mtls') && (!c.APPROVALS_GRPC_TLS_CLIENT_CA || !c.APPROVALS_MTLS_TRUST_DOMAIN)) {
      throw new ConfigProblem('APPROVALS_AUTH=mtls needs APPROVALS_GRPC_TLS_CERT, APPROVALS_GRPC_TLS_KEY, APPROVALS_GRPC_TLS_CLIENT_CA and APPROVALS_MTLS_TRUST_DOMAIN');
    }
    const auth: { apiKeys: boolean; jwt?: BearerTokenOptions | undefined; mtls?: { trustDomain: string } | undefined } = {
      apiKeys: c.APPROVALS_AUTH.includes('api-key'),
      ...(jwt ? { jwt } : {}),
      ...(c.APPROVALS_AUTH.includes('mtls') ? { mtls: { trustDomain: c.APPROVALS_MTLS_TRUST_DOMAIN! } } : {}),
    };
    const grpcTls: { certFile: string; keyFile: string; clientCaFile?: string | undefined } | undefined = c.APPROVALS_GRPC_TLS_CERT
      ? {
          certFile: path(c.APPROVALS_GRPC_TLS_CERT),
          keyFile: path(c.APPROVALS_GRPC_TLS_KEY!),
          ...(c.APPROVALS_GRPC_TLS_CLIENT_CA ? { clientCaFile: path(c.APPROVALS_GRPC_TLS_CLIENT_CA) } : {}),
        }
      : undefined;
    return {
      /**
       * How callers prove who they are (APPROVALS_AUTH): `api-key` (the directory's demo keys, for
       * the embedded demo), `jwt` (bearer tokens of the configured issuer) and/or `mtls`.
       */
      auth,
      /**
       * TLS on the gRPC port (APPROVALS_GRPC_TLS_CERT and _KEY, PEM files); with a client CA
       * (APPROVALS_GRPC_TLS_CLIENT_CA) every client must present a certificate it issued.
       */
      ...(grpcTls ? { grpcTls } : {}),
    };
  },
});

import type { Metadata } from '@grpc/grpc-js';
import type { Directory } from '@approvals/application';
import type { AppConfig } from '@approvals/config';
import { BearerTokenVerifier } from '@approvals/identity';
import type { TraceContext } from '@approvals/application';
import { currentTraceFields } from '@approvals/telemetry';
import { grpcError } from './grpc-errors';

const traceparentPattern = /^00-([0-9a-f]{32})-([0-9a-f]{16})-[0-9a-f]{2}$/;
const maxTracestateLength = 512;
const maxTracestateMembers = 32;
// W3C list-member: key (optionally tenant@system) "=" value of printable ASCII without "," and "=".
const tracestateMember = /^[a-z0-9][a-z0-9_\-*/@]{0,255}=[\x20-\x2b\x2d-\x3c\x3e-\x7e]{0,255}[\x21-\x2b\x2d-\x3c\x3e-\x7e]$/;

/** True for a version-00 W3C traceparent whose trace and span ids are not all zeros. */
export function isValidTraceparent(value: string): boolean {
  const match = traceparentPattern.exec(value);
  return match !== null && !/^0+$/.test(match[1]!) && !/^0+$/.test(match[2]!);
}

/** True for a W3C tracestate list (checked loosely) of at most 512 characters. */
export function isValidTracestate(value: string): boolean {
  if (value.length > maxTracestateLength) return false;
  const members = value
    .split(',')
    .map((member) => member.trim())
    .filter((member) => member !== '');
  return members.length <= maxTracestateMembers && members.every((member) => tracestateMember.test(member));
}

/**
 * W3C trace context carried in gRPC metadata, when it is well formed; anything else is ignored
 * (never an error), and so is a tracestate without a valid traceparent, as W3C requires.
 */
export function callerTrace(metadata: Metadata | undefined): TraceContext {
  const traceparent = metadata?.get('traceparent')[0];
  if (typeof traceparent !== 'string' || !isValidTraceparent(traceparent)) return {};
  const tracestate = metadata?.get('tracestate')[0];
  return { traceparent, ...(typeof tracestate === 'string' && isValidTracestate(tracestate) ? { tracestate } : {}) };
}

/**
 * The trace context of the work a call starts: the gRPC server span when tracing is on (it
 * continues the caller's trace), else the caller's own traceparent, so the ledger records the
 * agent's trace id either way.
 */
export const traceFrom = (metadata: Metadata | undefined): TraceContext => currentTraceFields(callerTrace(metadata));

type Principal = { kind: 'agent' | 'human'; id: string };

/** What a gRPC handler's call object says about the transport (grpc-js's ServerSurfaceCall). */
export interface GrpcPeer {
  getAuthContext?(): { transportSecurityType?: string | undefined; sslPeerCertificate?: { subjectaltname?: string | undefined } | undefined };
}

/** Checks a caller's bearer token; @approvals/identity's BearerTokenVerifier in production. */
export interface BearerVerifier {
  verify(token: string): Promise<{ ok: true; subject: string } | { ok: false; detail: string }>;
}

/**
 * Who is calling, from the transport and the credentials in gRPC metadata, never from the request
 * body: the client certificate's SPIFFE id (`spiffe://<trust domain>/agent/<id>` or `/human/<id>`)
 * when mutual TLS is configured; else `authorization: Bearer <jwt>` when JWTs are configured (the
 * token's subject must be an agent or a person of the directory); else `x-api-key` when demo API
 * keys are enabled. A presented credential that does not verify is refused; it never falls back
 * to another kind, and two credentials that name different callers are refused too.
 */
export class GrpcAuthenticator {
  constructor(
    private readonly directory: Directory,
    private readonly options: { apiKeys: boolean; bearer?: BearerVerifier | undefined; mtlsTrustDomain?: string | undefined },
  ) {}

  /** The calling agent; people are refused. */
  async agent(metadata: Metadata | undefined, call?: GrpcPeer): Promise<string> {
    const principal = await this.principal(metadata, call);
    if (principal.kind !== 'agent') throw grpcError('PERMISSION_DENIED', `${principal.id} is a human, not an agent: only agents may call the intake`);
    return principal.id;
  }

  /**
   * The calling approver or auditor (a human in the directory). `attempt` completes "only people
   * may ..." in the refusal an agent gets, e.g. "cast votes".
   */
  async human(metadata: Metadata | undefined, attempt = 'use the decision and audit services', call?: GrpcPeer): Promise<string> {
    const principal = await this.principal(metadata, call);
    if (principal.kind !== 'human') throw grpcError('PERMISSION_DENIED', `${principal.id} is an agent, not a person: only people may ${attempt}`);
    return principal.id;
  }

  private async principal(metadata: Metadata | undefined, call: GrpcPeer | undefined): Promise<Principal> {
    const certified = this.fromCertificate(call);
    if (certified) {
      const claimed = hasCredentials(metadata) ? await this.fromMetadata(metadata) : undefined;
      if (claimed && (claimed.kind !== certified.kind || claimed.id !== certified.id)) {
        throw grpcError('PERMISSION_DENIED', `the client certificate is ${certified.id}'s but the other credentials are ${claimed.id}'s`);
      }
      return certified;
    }
    return this.fromMetadata(metadata);
  }

  /** The SPIFFE id of the client certificate, when mutual TLS is configured and one was presented. */
  private fromCertificate(call: GrpcPeer | undefined): Principal | undefined {
    const domain = this.options.mtlsTrustDomain;
    if (!domain) return undefined;
    const sans = call?.getAuthContext?.().sslPeerCertificate?.subjectaltname;
    if (sans === undefined) return undefined;
    const prefix = `spiffe://${domain}/`;
    const ids = sans
      .split(',')
      .map((san) => san.trim())
      .filter((san) => san.startsWith(`URI:${prefix}`))
      .map((san) => san.slice(`URI:${prefix}`.length));
    if (ids.length !== 1) throw grpcError('UNAUTHENTICATED', `the client certificate must carry exactly one URI SAN ${prefix}agent/<id> or ${prefix}human/<id>`);
    const match = /^(agent|human)\/([A-Za-z0-9._@-]{1,200})$/.exec(ids[0]!);
    if (!match) throw grpcError('UNAUTHENTICATED', `the client certificate's identity must be ${prefix}agent/<id> or ${prefix}human/<id>`);
    const kind = match[1] as Principal['kind'];
    const id = match[2]!;
    const known = kind === 'agent' ? this.directory.findAgent(id) : this.directory.findHuman(id);
    if (!known) throw grpcError('UNAUTHENTICATED', `the client certificate names ${kind} ${id}, whom the directory does not know`);
    return { kind, id };
  }

  private async fromMetadata(metadata: Metadata | undefined): Promise<Principal> {
    const authorization = metadata?.get('authorization')[0];
    if (typeof authorization === 'string' && authorization.length > 0) return this.fromBearer(authorization);
    const key = metadata?.get('x-api-key')[0];
    if (typeof key === 'string' && key.length > 0) {
      if (!this.options.apiKeys) throw grpcError('UNAUTHENTICATED', 'API keys are not accepted here: send a bearer token (authorization: Bearer <jwt>)');
      const principal = this.directory.authenticate(key);
      if (!principal) throw grpcError('UNAUTHENTICATED', 'unknown API key');
      return principal;
    }
    throw grpcError('UNAUTHENTICATED', `missing credentials: send ${this.accepted()}`);
  }

  private async fromBearer(authorization: string): Promise<Principal> {
    const bearer = this.options.bearer;
    if (!bearer) throw grpcError('UNAUTHENTICATED', `bearer tokens are not accepted here: send ${this.accepted()}`);
    const match = /^Bearer ([A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*)$/.exec(authorization.trim());
    if (!match) throw grpcError('UNAUTHENTICATED', 'the authorization metadata must be "Bearer <jwt>"');
    const verified = await bearer.verify(match[1]!);
    if (!verified.ok) throw grpcError('UNAUTHENTICATED', verified.detail);
    if (this.directory.findAgent(verified.subject)) return { kind: 'agent', id: verified.subject };
    if (this.directory.findHuman(verified.subject)) return { kind: 'human', id: verified.subject };
    throw grpcError('UNAUTHENTICATED', `the token's subject ${JSON.stringify(verified.subject.slice(0, 200))} is neither an agent nor a person of the directory`);
  }

  private accepted(): string {
    const ways = [
      ...(this.options.mtlsTrustDomain ? [`a client certificate for spiffe://${this.options.mtlsTrustDomain}/...`] : []),...(this.options.bearer ? ['a bearer token (authorization: Bearer <jwt>)'] : []), ...(this.options.apiKeys ? ['your API key in the x-api-key metadata'] : [])];
    return ways.join(' or ');
  }
}

/** The authenticator the configuration asks for (APPROVALS_AUTH and the APPROVALS_JWT_* settings). */
export function authenticatorFor(config: Pick<AppConfig, 'auth'>, directory: Directory): GrpcAuthenticator {
  return new GrpcAuthenticator(directory, {
    apiKeys: config.auth.apiKeys,
    ...(config.auth.jwt ? { bearer: BearerTokenVerifier.open(config.auth.jwt) } : {}),
    ...(config.auth.mtls ? { mtlsTrustDomain: config.auth.mtls.trustDomain } : {}),
  });
}

function hasCredentials(metadata: Metadata | undefined): boolean {
  return (metadata?.get('authorization').length ?? 0) > 0 || (metadata?.get('x-api-key').length ?? 0) > 0;
}

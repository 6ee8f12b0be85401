import type { Metadata } from '@grpc/grpc-js';
import type { Directory } from '@approvals/application';
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
export function traceFrom(metadata: Metadata | undefined): { traceparent?: string; tracestate?: string } {
  const traceparent = metadata?.get('traceparent')[0];
  if (typeof traceparent !== 'string' || !isValidTraceparent(traceparent)) return {};
  const tracestate = metadata?.get('tracestate')[0];
  return { traceparent, ...(typeof tracestate === 'string' && isValidTracestate(tracestate) ? { tracestate } : {}) };
}

function apiKeyFrom(metadata: Metadata | undefined): string {
  const key = metadata?.get('x-api-key')[0];
  if (typeof key !== 'string' || key.length === 0) {
    throw grpcError('UNAUTHENTICATED', 'missing credentials: send your API key in the x-api-key metadata');
  }
  return key;
}

/**
 * The calling agent, from its demo API key (embedded mode only; mutual TLS and JWTs replace this
 * in production). The identity never comes from the request body.
 */
export function authenticateAgent(metadata: Metadata | undefined, directory: Directory): string {
  const principal = directory.authenticate(apiKeyFrom(metadata));
  if (!principal) throw grpcError('UNAUTHENTICATED', 'unknown API key');
  if (principal.kind !== 'agent') throw grpcError('PERMISSION_DENIED', `${principal.id} is a human, not an agent: only agents may call the intake`);
  return principal.id;
}

/**
 * The calling approver or auditor (a human in the directory), from their demo API key. `attempt`
 * completes "only people may ..." in the refusal an agent gets, e.g. "cast votes".
 */
export function authenticateApprover(
  metadata: Metadata | undefined,
  directory: Directory,
  attempt = 'use the decision and audit services',
): string {
  const principal = directory.authenticate(apiKeyFrom(metadata));
  if (!principal) throw grpcError('UNAUTHENTICATED', 'unknown API key');
  if (principal.kind !== 'human') throw grpcError('PERMISSION_DENIED', `${principal.id} is an agent, not a person: only people may ${attempt}`);
  return principal.id;
}

import type { Metadata } from '@grpc/grpc-js';
import type { Directory } from '@approvals/application';
import { grpcError } from './grpc-errors';

/** W3C trace context carried in gRPC metadata. */
export function traceFrom(metadata: Metadata | undefined): { traceparent?: string; tracestate?: string } {
  const traceparent = metadata?.get('traceparent')[0];
  const tracestate = metadata?.get('tracestate')[0];
  return {
    ...(typeof traceparent === 'string' ? { traceparent } : {}),
    ...(typeof tracestate === 'string' ? { tracestate } : {}),
  };
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

/** The calling approver (a human in the directory), from their demo API key. */
export function authenticateApprover(metadata: Metadata | undefined, directory: Directory): string {
  const principal = directory.authenticate(apiKeyFrom(metadata));
  if (!principal) throw grpcError('UNAUTHENTICATED', 'unknown API key');
  if (principal.kind !== 'human') throw grpcError('PERMISSION_DENIED', `${principal.id} is an agent: only humans may vote`);
  return principal.id;
}

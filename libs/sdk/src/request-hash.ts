import { createHash } from 'node:crypto';
import canonicalize from 'canonicalize';
import type { ActionRequest, ActionView } from './types';

/**
 * The request as the service records it and a grant binds it: every text trimmed, empty optional
 * fields left out, the agent from its credentials. `request-hash.int.spec.ts` pins this to the
 * service's own normalisation over generated requests.
 */
export interface RecordedRequest {
  agentId: string;
  model: string;
  onBehalfOf?: string;
  action: string;
  resource: { kind: string; id: string };
  environment: string;
  dataClassification?: string;
  parameters: Record<string, unknown>;
  justification: string;
  idempotencyKey: string;
  runId?: string;
}

/** Normalises a request the way the service does before recording it. */
export function recordedRequest(agentId: string, request: ActionRequest & { idempotencyKey: string }): RecordedRequest {
  const optional = (name: 'onBehalfOf' | 'dataClassification' | 'runId', value: string | undefined) => (value?.trim() ? { [name]: value.trim() } : {});
  return {
    agentId,
    model: request.model.trim(),
    ...optional('onBehalfOf', request.onBehalfOf),
    action: request.action.trim(),
    resource: { kind: request.resource.kind.trim(), id: request.resource.id.trim() },
    environment: request.environment.trim(),
    ...optional('dataClassification', request.dataClassification),
    parameters: request.parameters ?? {},
    justification: request.justification.trim(),
    idempotencyKey: request.idempotencyKey.trim(),
    ...optional('runId', request.runId),
  };
}

/** The request an action's view records (its parameters are already canonical). */
export function requestOfView(view: ActionView): ActionRequest & { idempotencyKey: string } {
  return {
    model: view.model,
    onBehalfOf: view.onBehalfOf,
    action: view.action,
    resource: { kind: view.resource?.kind ?? '', id: view.resource?.id ?? '' },
    environment: view.environment,
    dataClassification: view.dataClassification,
    parameters: parseParameters(view.parametersJson),
    justification: view.justification,
    idempotencyKey: view.idempotencyKey,
    runId: view.runId,
  };
}

/** Parses a parameters text the service returned (a JSON object) without letting it reach a prototype. */
export function parseParameters(text: string): Record<string, unknown> {
  if (text.trim() === '') return {};
  const value: unknown = JSON.parse(text, (key, item: unknown) => (key === '__proto__' ? undefined : item));
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new TypeError('the parameters are not a JSON object');
  return value as Record<string, unknown>;
}

/** RFC 8785 (JSON Canonicalization Scheme) text of a JSON value. */
export function canonicalJson(value: unknown): string {
  const text = canonicalize(value);
  if (text === undefined) throw new TypeError('the value cannot be represented as JSON');
  return text;
}

/**
 * The hash a grant binds: SHA-256 (hex) of the RFC 8785 form of the request as recorded for
 * `agentId`. An executor computes it over what it is about to run and compares.
 */
export function requestHashOf(agentId: string, request: ActionRequest & { idempotencyKey: string }): string {
  return createHash('sha256').update(canonicalJson(recordedRequest(agentId, request))).digest('hex');
}

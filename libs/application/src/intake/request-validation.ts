import type { RequestActionRequest__Output } from '@approvals/contracts';
import type { ActionRequest, JsonValue } from '@approvals/domain';
import { z } from 'zod';
import { canonicalJson } from '../ledger/event-hash';

/** Largest accepted `parameters_json`, in UTF-8 bytes. */
export const maxParametersBytes = 64 * 1024;

/** Limits on the shape of the parameters, so hashing and policy evaluation stay cheap and safe. */
export const parametersLimits = {
  /** Nesting levels of objects and arrays; the parameters object itself is level 1. */
  maxDepth: 32,
  /** Keys of any one object. */
  maxKeys: 1000,
  /** Items of any one array. */
  maxItems: 10_000,
} as const;

export interface FieldViolation {
  field: string;
  description: string;
}

const identifier = (max: number) => z.string().trim().min(1, 'is required').max(max, `must be at most ${max} characters`);

const schema = z.object({
  model: identifier(200),
  on_behalf_of: z.string().trim().max(200, 'must be at most 200 characters'),
  action: identifier(100).regex(
    /^[a-z][a-z0-9_-]*(\.[a-z][a-z0-9_-]*)+$/,
    'must look like "<domain>.<verb>", e.g. "db.export" (lower case, dot separated)',
  ),
  'resource.kind': identifier(100).regex(/^[a-z][a-z0-9_-]*$/, 'must be a lower-case word such as "dataset"'),
  'resource.id': identifier(300),
  environment: identifier(50).regex(/^[a-z0-9][a-z0-9_-]*$/, 'must be a lower-case name such as "prod"'),
  data_classification: z.string().trim().max(50, 'must be at most 50 characters'),
  justification: identifier(4096),
  idempotency_key: identifier(200).regex(/^[\x21-\x7e]+$/, 'must be printable ASCII without spaces'),
  run_id: z.string().trim().max(200, 'must be at most 200 characters').regex(/^[\x21-\x7e]*$/, 'must be printable ASCII without spaces'),
});

/**
 * Validates and normalises a RequestAction call. Every problem is reported with the proto field
 * it concerns, so the agent developer can fix the call in one go.
 */
export function validateActionRequest(
  agentId: string,
  input: RequestActionRequest__Output,
  knownHuman: (id: string) => boolean,
): { ok: true; request: ActionRequest } | { ok: false; violations: FieldViolation[] } {
  const flat = {
    model: input.model ?? '',
    on_behalf_of: input.onBehalfOf ?? '',
    action: input.action ?? '',
    'resource.kind': input.resource?.kind ?? '',
    'resource.id': input.resource?.id ?? '',
    environment: input.environment ?? '',
    data_classification: input.dataClassification ?? '',
    justification: input.justification ?? '',
    idempotency_key: input.idempotencyKey ?? '',
    run_id: input.runId ?? '',
  };
  const violations: FieldViolation[] = [];
  const parsed = schema.safeParse(flat);
  if (!parsed.success) {
    // One violation per field: the first rule it breaks is the one to fix.
    for (const issue of parsed.error.issues) {
      const field = String(issue.path[0]);
      if (!violations.some((v) => v.field === field)) violations.push({ field, description: issue.message });
    }
  }
  const onBehalfOf = flat.on_behalf_of.trim();
  if (onBehalfOf && !violations.some((v) => v.field === 'on_behalf_of') && !knownHuman(onBehalfOf)) {
    violations.push({ field: 'on_behalf_of', description: `"${onBehalfOf}" is not a known human in the directory` });
  }
  const parameters = parseParameters(input.parametersJson ?? '', violations);
  if (violations.length > 0 || !parsed.success || !parameters) return { ok: false, violations };
  const v = parsed.data;
  return {
    ok: true,
    request: {
      agentId,
      model: v.model,
      ...(onBehalfOf ? { onBehalfOf } : {}),
      action: v.action,
      resource: { kind: v['resource.kind'], id: v['resource.id'] },
      environment: v.environment,
      ...(v.data_classification ? { dataClassification: v.data_classification } : {}),
      parameters,
      justification: v.justification,
      idempotencyKey: v.idempotency_key,
      ...(v.run_id ? { runId: v.run_id } : {}),
    },
  };
}

function parseParameters(text: string, violations: FieldViolation[]): { [key: string]: JsonValue } | undefined {
  const field = 'parameters_json';
  if (Buffer.byteLength(text, 'utf8') > maxParametersBytes) {
    violations.push({ field, description: `must be at most ${maxParametersBytes} bytes (UTF-8)` });
    return undefined;
  }
  if (text.trim() === '') return {};
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    violations.push({ field, description: `is not valid JSON (${(error as Error).message})` });
    return undefined;
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    violations.push({ field, description: 'must be a JSON object' });
    return undefined;
  }
  const problem = shapeProblem(value);
  if (problem) {
    violations.push({ field, description: problem });
    return undefined;
  }
  // The request hash is taken over canonical JSON: whatever it cannot represent is the caller's error.
  try {
    canonicalJson(value);
  } catch (error) {
    violations.push({ field, description: `cannot be represented as canonical JSON (RFC 8785): ${(error as Error).message}` });
    return undefined;
  }
  return value as { [key: string]: JsonValue };
}

/** A JSONPath-like location such as `$.rows[3]["odd key"]`, shortened for a message. */
function formatPath(segments: (string | number)[]): string {
  let path = '$';
  for (const segment of segments) {
    path += typeof segment === 'number' ? `[${segment}]` : /^[A-Za-z_$][\w$]*$/.test(segment) ? `.${segment}` : `[${JSON.stringify(segment)}]`;
    if (path.length > 100) return `${path.slice(0, 99)}…`;
  }
  return path;
}

/**
 * The first way `value` breaks the parameter limits, described for the agent developer, or
 * undefined. `path` holds the keys and indexes leading to `value`; it never recurses deeper
 * than the depth limit.
 */
function shapeProblem(value: unknown, path: (string | number)[] = []): string | undefined {
  if (typeof value === 'number') {
    return Number.isFinite(value) ? undefined : `has a number too large to represent at ${formatPath(path)}: send it as a string`;
  }
  if (value === null || typeof value !== 'object') return undefined;
  const { maxDepth, maxItems, maxKeys } = parametersLimits;
  if (path.length >= maxDepth) return `is nested too deeply at ${formatPath(path)}: at most ${maxDepth} levels of objects and arrays`;
  const entries: [string | number, unknown][] = Array.isArray(value) ? value.map((item, i) => [i, item]) : Object.entries(value);
  if (Array.isArray(value) && entries.length > maxItems) {
    return `has an array of ${entries.length} items at ${formatPath(path)}: at most ${maxItems} per array`;
  }
  if (!Array.isArray(value) && entries.length > maxKeys) {
    return `has an object with ${entries.length} keys at ${formatPath(path)}: at most ${maxKeys} per object`;
  }
  for (const [key, child] of entries) {
    path.push(key);
    const problem = shapeProblem(child, path);
    path.pop();
    if (problem) return problem;
  }
  return undefined;
}

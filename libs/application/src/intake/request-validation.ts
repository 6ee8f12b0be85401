import type { RequestActionRequest__Output } from '@approvals/contracts';
import type { ActionRequest } from '@approvals/domain';
import { z } from 'zod';
import type { FieldViolation } from '../errors';
import type { JsonObject, JsonShapeLimits } from './untrusted-json';
import { parseJsonObject, unicodeProblem } from './untrusted-json';

/** Largest accepted `parameters_json`, in UTF-8 bytes. */
export const maxParametersBytes = 64 * 1024;

/** Limits on the shape of the parameters, so hashing and policy evaluation stay cheap and safe. */
export const parametersLimits: Readonly<JsonShapeLimits> = {
  /** Nesting levels of objects and arrays; the parameters object itself is level 1. */
  maxDepth: 32,
  /** Keys of any one object. */
  maxKeys: 1000,
  /** Items of any one array. */
  maxItems: 10_000,
};


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
  // Text that is not valid Unicode would be stored rewritten (or not at all): refuse it, naming the field.
  for (const [field, value] of Object.entries(flat)) {
    const problem = unicodeProblem(value);
    if (problem) violations.push({ field, description: problem });
  }
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

function parseParameters(text: string, violations: FieldViolation[]): JsonObject | undefined {
  const field = 'parameters_json';
  if (Buffer.byteLength(text, 'utf8') > maxParametersBytes) {
    violations.push({ field, description: `must be at most ${maxParametersBytes} bytes (UTF-8)` });
    return undefined;
  }
  if (text.trim() === '') return {};
  const parsed = parseJsonObject(text, parametersLimits);
  if (!parsed.ok) {
    violations.push({ field, description: parsed.problem });
    return undefined;
  }
  return parsed.value;
}

import { readFileSync } from 'node:fs';
import { isDeepStrictEqual } from 'node:util';
import { z } from 'zod';
import type { PolicyDecision } from '@approvals/application';
import { jsonObjectSchema } from '@approvals/contracts';
import type { ActionRequest } from '@approvals/domain';
import type { CedarPolicyEngine } from './cedar-policy.engine';

// Policy tests: requests with the outcome (and, where it matters, the requirement and the deciding
// policies) that the security team expects, checked against a policy set before it is rolled out.

const requestSchema = z
  .object({
    agentId: z.string().min(1),
    model: z.string().min(1).default('policy-test'),
    onBehalfOf: z.string().min(1).optional(),
    action: z.string().min(1),
    resource: z.object({ kind: z.string().min(1), id: z.string().min(1) }).strict(),
    environment: z.string().min(1),
    dataClassification: z.string().min(1).optional(),
    // Kept as parsed: a record schema would rebuild it by assignment (see jsonObjectSchema).
    parameters: jsonObjectSchema.default({}),
    justification: z.string().default('policy test'),
  })
  .strict();

const requirementSchema = z
  .object({
    steps: z.array(z.object({ group: z.string().min(1), minApprovals: z.number().int().min(1) }).strict()),
    ttlSeconds: z.number().int().positive().optional(),
    denyEndsRequest: z.boolean().optional(),
    channels: z.array(z.string().min(1)).optional(),
    /** null: the policy must not allow standing approvals here. */
    standing: z.object({ maxSeconds: z.number().int().positive() }).strict().nullable().optional(),
    /** null: the policy must offer no break-glass here. */
    breakGlass: z
      .object({ groups: z.array(z.string().min(1)).min(1), reviewWithinSeconds: z.number().int().positive().optional() })
      .strict()
      .nullable()
      .optional(),
  })
  .strict();

const caseSchema = z
  .object({
    name: z.string().min(1),
    request: requestSchema,
    expect: z
      .object({
        outcome: z.enum(['ALLOW', 'DENY', 'REQUIRE_APPROVAL']),
        determiningPolicies: z.array(z.string()).optional(),
        requirement: requirementSchema.optional(),
      })
      .strict(),
  })
  .strict();

const fileSchema = z.object({ $comment: z.string().optional(), cases: z.array(caseSchema).min(1, 'must hold at least one case') }).strict();

export type PolicyTestCase = z.infer<typeof caseSchema>;

/** A cases file that cannot be used; the message names the file and every bad field by path. */
export class PolicyTestFileError extends Error {
  override readonly name = 'PolicyTestFileError';
}

/** Reads and checks a policy test file (JSON: `{ "cases": [{ name, request, expect }] }`). */
export function loadPolicyTestCases(file: string, read: (path: string) => string = (path) => readFileSync(path, 'utf8')): PolicyTestCase[] {
  let raw: unknown;
  try {
    raw = JSON.parse(read(file));
  } catch (error) {
    throw new PolicyTestFileError(`${file}: ${(error as Error).message}`);
  }
  const parsed = fileSchema.safeParse(raw);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((issue) => `  ${issue.path.map(String).join('.') || '(file)'}: ${issue.message}`);
    throw new PolicyTestFileError(`${file} is not a valid policy test file:\n${lines.join('\n')}`);
  }
  const names = new Set<string>();
  for (const testCase of parsed.data.cases) {
    if (names.has(testCase.name)) throw new PolicyTestFileError(`${file}: two cases are named "${testCase.name}"; names must be unique`);
    names.add(testCase.name);
  }
  return parsed.data.cases;
}

/** One expectation that did not hold. */
export interface PolicyTestDifference {
  field: 'outcome' | 'determiningPolicies' | 'requirement';
  expected: unknown;
  actual: unknown;
}

export interface PolicyTestResult {
  name: string;
  passed: boolean;
  differences: PolicyTestDifference[];
  decision: PolicyDecision;
}

/**
 * Evaluates every case and compares what it expects: the outcome always; the determining
 * policies (as a set) and the requirement (steps in order; ttl, deny rule, standing allowance and
 * break-glass when given) when the case names them.
 */
export function runPolicyTests(engine: Pick<CedarPolicyEngine, 'evaluate'>, cases: readonly PolicyTestCase[]): PolicyTestResult[] {
  return cases.map(({ name, request, expect }) => {
    const decision = engine.evaluate({ ...request, parameters: request.parameters as ActionRequest['parameters'], idempotencyKey: `policy-test:${name}` });
    const differences: PolicyTestDifference[] = [];
    if (decision.outcome !== expect.outcome) differences.push({ field: 'outcome', expected: expect.outcome, actual: decision.outcome });
    if (expect.determiningPolicies !== undefined) {
      const expected = [...expect.determiningPolicies].sort();
      const actual = [...decision.determiningPolicies].sort();
      if (!isDeepStrictEqual(expected, actual)) differences.push({ field: 'determiningPolicies', expected, actual });
    }
    if (expect.requirement !== undefined) {
      const actual = decision.requirement;
      const compared = actual && {
        steps: actual.steps,
        ...(expect.requirement.ttlSeconds !== undefined ? { ttlSeconds: actual.ttlSeconds } : {}),
        ...(expect.requirement.denyEndsRequest !== undefined ? { denyEndsRequest: actual.denyEndsRequest } : {}),
        ...(expect.requirement.channels !== undefined ? { channels: actual.channels ?? [] } : {}),
        ...(expect.requirement.standing !== undefined ? { standing: actual.standing ?? null } : {}),
        ...(expect.requirement.breakGlass !== undefined
          ? {
              breakGlass: actual.breakGlass
                ? {
                    groups: actual.breakGlass.groups,
                    ...(expect.requirement.breakGlass?.reviewWithinSeconds !== undefined ? { reviewWithinSeconds: actual.breakGlass.reviewWithinSeconds } : {}),
                  }
                : null,
            }
          : {}),
      };
      if (!isDeepStrictEqual(compared, expect.requirement)) differences.push({ field: 'requirement', expected: expect.requirement, actual: actual ?? null });
    }
    return { name, passed: differences.length === 0, differences, decision };
  });
}

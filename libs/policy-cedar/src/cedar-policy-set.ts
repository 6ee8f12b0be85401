import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import * as cedar from '@cedar-policy/cedar-wasm/nodejs';
import type { ApprovalRequirement } from '@approvals/domain';
import { parsePolicyAnnotations } from './approval-annotations';
import type { ContextParameterType } from './cedar-request';
import { builtInContextAttributes } from './cedar-request';

/** One policy of a loaded set: where it is, what it does, and what its annotations ask for. */
export interface CedarPolicy {
  /** From `@id("...")`, else `<file>#<n>` (n counts the file's policies from 1). */
  id: string;
  effect: 'permit' | 'forbid';
  file: string;
  line: number;
  text: string;
  /** From `@reason("...")`. */
  reason?: string | undefined;
  /** Present for a permit annotated `@approval("required")`. */
  approval?: ApprovalRequirement | undefined;
}

/** A schema and its policies, validated against each other, with the content hash that identifies them. */
export interface CedarPolicySet {
  /** `sha256:` and the first 16 hex digits of the hash of the schema and policy files (I9). */
  version: string;
  /** Where the set came from (a directory, or a label for in-memory sets). */
  source: string;
  schemaText: string;
  /** The schema file, then the policy files by name: exactly what the version hashes (policySetVersion). */
  files: readonly PolicySourceFile[];
  policies: ReadonlyMap<string, CedarPolicy>;
  /** Namespace of the schema's entity types and actions ('' when none). */
  namespace: string;
  /** Actions an agent can request: declared in the schema and applicable to Agent on Resource. */
  actions: ReadonlySet<string>;
  /** Per action, the context attributes beyond the built-in ones that its parameters fill (e.g. `path: String`). */
  contextParameters: ReadonlyMap<string, ReadonlyMap<string, ContextParameterType>>;
  /** Validator warnings (the set is still usable). */
  warnings: string[];
}

/** A named text file of a policy set. */
export interface PolicySourceFile {
  name: string;
  text: string;
}

/** A problem in one file of a policy set; `line` is 1-based when known. */
export interface PolicySetProblem {
  file: string;
  line?: number | undefined;
  message: string;
}

/** A policy set that cannot be loaded; the message lists every problem as `file:line: message`. */
export class PolicySetLoadError extends Error {
  readonly code = 'POLICY_SET_INVALID';

  constructor(
    readonly source: string,
    readonly problems: PolicySetProblem[],
  ) {
    super(`invalid policy set ${source}:\n${problems.map((problem) => `  ${formatProblem(problem)}`).join('\n')}`);
    this.name = 'PolicySetLoadError';
  }
}

/** The schema file extension and the policy file extension that loadCedarPolicySet reads. */
export const CEDAR_SCHEMA_EXTENSION = '.cedarschema';
export const CEDAR_POLICY_EXTENSION = '.cedar';

/**
 * Reads the one `*.cedarschema` file and every `*.cedar` file of `dir`, validates the policies
 * against the schema (strict mode) and their annotations; throws PolicySetLoadError naming file and line.
 */
export function loadCedarPolicySet(dir: string): CedarPolicySet {
  let names: string[];
  try {
    // A Kubernetes ConfigMap volume holds symbolic links to its files: followed, as regular files are.
    names = readdirSync(dir, { withFileTypes: true })
      .filter((entry) => entry.isFile() || (entry.isSymbolicLink() && statSync(join(dir, entry.name), { throwIfNoEntry: false })?.isFile() === true))
      .map((entry) => entry.name);
  } catch (error) {
    throw new PolicySetLoadError(dir, [{ file: dir, message: `cannot read the directory: ${(error as Error).message}` }]);
  }
  const schemas = names.filter((name) => name.endsWith(CEDAR_SCHEMA_EXTENSION));
  if (schemas.length !== 1) {
    const found = schemas.length === 0 ? 'none' : schemas.join(', ');
    throw new PolicySetLoadError(dir, [{ file: dir, message: `expected exactly one ${CEDAR_SCHEMA_EXTENSION} file, found ${found}` }]);
  }
  const read = (name: string): PolicySourceFile => ({ name, text: readFileSync(join(dir, name), 'utf8') });
  return parseCedarPolicySet(
    read(schemas[0] as string),
    names.filter((name) => name.endsWith(CEDAR_POLICY_EXTENSION)).map(read),
    dir,
  );
}

/** Builds a policy set from in-memory files (same checks as loadCedarPolicySet). */
export function parseCedarPolicySet(
  schema: PolicySourceFile,
  policyFiles: readonly PolicySourceFile[],
  source = 'policy set',
): CedarPolicySet {
  const files = [...policyFiles].sort((a, b) => compare(a.name, b.name));
  const problems: PolicySetProblem[] = [];
  const warnings: string[] = [];

  const schemaProblems = checkSchema(schema);
  if (schemaProblems.length > 0) throw new PolicySetLoadError(source, schemaProblems);
  const { namespace, actions, contextParameters } = readSchema(schema, source);

  if (files.length === 0) problems.push({ file: source, message: `no ${CEDAR_POLICY_EXTENSION} policy files: every request would be denied` });
  const policies = new Map<string, CedarPolicy>();
  for (const file of files) {
    for (const policy of readPolicyFile(file, schema.text, problems, warnings)) {
      const existing = policies.get(policy.id);
      if (existing) {
        problems.push({
          file: file.name,
          line: policy.line,
          message: `duplicate policy id "${policy.id}" (also ${existing.file}:${existing.line})`,
        });
      } else {
        policies.set(policy.id, policy);
      }
    }
  }
  if (problems.length > 0) throw new PolicySetLoadError(source, problems);

  return {
    version: policySetVersion(schema, files),
    source,
    schemaText: schema.text,
    files: [schema, ...files],
    policies,
    namespace,
    actions,
    contextParameters,
    warnings,
  };
}

/** `sha256:<16 hex>` over the schema and then the policy files sorted by name (names and contents). */
export function policySetVersion(schema: PolicySourceFile, policyFiles: readonly PolicySourceFile[]): string {
  const hash = createHash('sha256');
  for (const file of [schema, ...[...policyFiles].sort((a, b) => compare(a.name, b.name))]) {
    hash.update(`${file.name}\n${Buffer.byteLength(file.text)}\n`).update(file.text).update('\n');
  }
  return `sha256:${hash.digest('hex').slice(0, 16)}`;
}

function checkSchema(schema: PolicySourceFile): PolicySetProblem[] {
  const parsed = cedar.checkParseSchema(schema.text);
  if (parsed.type === 'failure') return parsed.errors.map((error) => toProblem(schema, error));
  // Parsing accepts unknown type names; the validator resolves them.
  const resolved = cedar.validate({ schema: schema.text, policies: { staticPolicies: {} } });
  if (resolved.type === 'failure') return resolved.errors.map((error) => toProblem(schema, error));
  return [];
}

function readSchema(
  schema: PolicySourceFile,
  source: string,
): { namespace: string; actions: Set<string>; contextParameters: Map<string, Map<string, ContextParameterType>> } {
  const answer = cedar.schemaToJson(schema.text);
  if (answer.type === 'failure') throw new PolicySetLoadError(source, answer.errors.map((error) => toProblem(schema, error)));
  const withAgent = Object.entries(answer.json).filter(([, definition]) => 'Agent' in definition.entityTypes);
  const [found, ...others] = withAgent;
  const required = ['Agent', 'Resource', 'Human', 'Group'];
  const missing = found ? required.filter((type) => !(type in found[1].entityTypes)) : required;
  if (!found || others.length > 0 || missing.length > 0) {
    const message =
      others.length > 0
        ? 'entity type Agent is declared in more than one namespace'
        : `the engine needs entity types ${required.join(', ')} in one namespace; missing ${missing.join(', ')}`;
    throw new PolicySetLoadError(source, [{ file: schema.name, message }]);
  }
  const [namespace, definition] = found;
  const qualify = (type: string) => (type.includes('::') || namespace === '' ? type : `${namespace}::${type}`);
  const agentType = qualify('Agent');
  const resourceType = qualify('Resource');
  const actions = new Set(
    Object.entries(definition.actions)
      .filter(([, action]) => {
        const applies = action.appliesTo;
        return (
          applies !== undefined &&
          applies.principalTypes.map(qualify).includes(agentType) &&
          applies.resourceTypes.map(qualify).includes(resourceType)
        );
      })
      .map(([name]) => name),
  );
  const contextParameters = new Map<string, Map<string, ContextParameterType>>();
  const unfillable: string[] = [];
  for (const name of actions) {
    const declared = new Map<string, ContextParameterType>();
    for (const [attribute, type] of Object.entries(contextAttributes(definition, namespace, definition.actions[name]?.appliesTo?.context))) {
      if (builtInContextAttributes.has(attribute)) continue;
      if (type === 'String' || type === 'Long' || type === 'Boolean') declared.set(attribute, type);
      // A policy testing an attribute that is never filled would never fire (a forbid that never denies).
      else unfillable.push(`context attribute "${attribute}" of action "${name}" is declared as ${type || 'an unknown type'}: a parameter can fill only String, Long or Bool attributes`);
    }
    if (declared.size > 0) contextParameters.set(name, declared);
  }
  if (unfillable.length > 0) throw new PolicySetLoadError(source, [...new Set(unfillable)].map((message) => ({ file: schema.name, message })));
  return { namespace, actions, contextParameters };
}

type SchemaNamespace = Extract<cedar.SchemaToJsonAnswer, { type: 'success' }>['json'][string];

/**
 * The attribute types of an action's context (inline, or a common type, named with or without the
 * namespace), as plain names: String, Long, Boolean (Cedar's Bool), decimal, Set, Record...
 */
function contextAttributes(definition: SchemaNamespace, namespace: string, context: unknown): Record<string, string> {
  type TypeJson = { type?: string; name?: string; attributes?: Record<string, TypeJson> };
  const unqualified = (name: string) => name.replace(/^__cedar::/, '').replace(namespace ? new RegExp(`^${namespace.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}::`) : /^$/, '');
  const nameOf = (t: TypeJson) => unqualified((t.type === 'EntityOrCommon' || t.type === 'Entity' || t.type === 'Extension' ? t.name : t.type) ?? '');
  const commonTypes = (definition as { commonTypes?: Record<string, TypeJson> }).commonTypes ?? {};
  let record = context as TypeJson | undefined;
  if (record && record.type !== 'Record') record = commonTypes[nameOf(record)];
  const attributes = record?.attributes ?? {};
  return Object.fromEntries(
    Object.entries(attributes).map(([name, attribute]) => {
      const type = nameOf(attribute);
      const resolved = commonTypes[type] ? nameOf(commonTypes[type]) : type;
      return [name, resolved === 'Bool' ? 'Boolean' : resolved];
    }),
  );
}

function readPolicyFile(
  file: PolicySourceFile,
  schemaText: string,
  problems: PolicySetProblem[],
  warnings: string[],
): CedarPolicy[] {
  // Parsed as static policies, so templates (with ?principal or ?resource slots) are rejected here.
  const parsed = cedar.checkParsePolicySet({ staticPolicies: file.text });
  if (parsed.type === 'failure') {
    problems.push(...parsed.errors.map((error) => toProblem(file, error)));
    return [];
  }
  const parts = cedar.policySetTextToParts(file.text);
  if (parts.type === 'failure') {
    problems.push(...parts.errors.map((error) => toProblem(file, error)));
    return [];
  }

  // Cedar names a file's policies policy0, policy1, ... in source order; its parts come sorted by that name.
  const located = locateInOrder(file.text, parts.policies);
  const policies = located.map(({ text, offset }, index): CedarPolicy => {
    const line = lineAtCharOffset(file.text, offset);
    const json = cedar.policyToJson(text);
    if (json.type === 'failure') {
      problems.push(...json.errors.map((error) => ({ file: file.name, line, message: error.message })));
      return { id: `${file.name}#${index + 1}`, effect: 'forbid', file: file.name, line, text };
    }
    const effect = json.json.effect;
    const { annotations, problems: annotationProblems } = parsePolicyAnnotations(effect, json.json.annotations ?? {});
    problems.push(...annotationProblems.map((message) => ({ file: file.name, line, message })));
    return {
      id: annotations.id ?? `${file.name}#${index + 1}`,
      effect,
      file: file.name,
      line,
      text,
      reason: annotations.reason,
      approval: annotations.approval,
    };
  });

  const validation = cedar.validate({ schema: schemaText, policies: { staticPolicies: file.text } });
  if (validation.type === 'failure') {
    problems.push(...validation.errors.map((error) => toProblem(file, error)));
  } else {
    const byCedarId = new Map(policies.map((policy, index) => [`policy${index}`, policy]));
    for (const { policyId, error } of validation.validationErrors) {
      problems.push({ ...toProblem(file, error), line: lineOf(file, error) ?? byCedarId.get(policyId)?.line });
    }
    for (const { policyId, error } of validation.validationWarnings) {
      const problem = { ...toProblem(file, error), line: lineOf(file, error) ?? byCedarId.get(policyId)?.line };
      warnings.push(formatProblem(problem));
    }
  }
  return policies;
}

/** Finds each policy's text in the file and returns them in source order. */
function locateInOrder(text: string, parts: readonly string[]): { text: string; offset: number }[] {
  const taken = new Set<number>();
  const located = parts.map((part) => {
    let offset = text.indexOf(part);
    while (offset >= 0 && taken.has(offset)) offset = text.indexOf(part, offset + 1);
    taken.add(offset);
    return { text: part, offset };
  });
  if (located.every((entry) => entry.offset >= 0)) return located.sort((a, b) => a.offset - b.offset);
  // Fallback: undo the lexicographic order of the names policy0, policy1, ..., policy10, ...
  const names = parts.map((_, index) => `policy${index}`).sort();
  const ordered: { text: string; offset: number }[] = [];
  names.forEach((name, position) => {
    ordered[Number(name.slice('policy'.length))] = { text: parts[position] as string, offset: 0 };
  });
  return ordered;
}

function toProblem(file: PolicySourceFile, error: cedar.DetailedError): PolicySetProblem {
  const help = error.help ? ` (${error.help})` : '';
  return { file: file.name, line: lineOf(file, error), message: `${error.message}${help}` };
}

/** Cedar reports source locations as byte offsets into the text it was given. */
function lineOf(file: PolicySourceFile, error: cedar.DetailedError): number | undefined {
  const location = error.sourceLocations?.[0];
  if (!location) return undefined;
  const before = Buffer.from(file.text, 'utf8').subarray(0, location.start).toString('utf8');
  return lineAtCharOffset(before, before.length);
}

function lineAtCharOffset(text: string, offset: number): number {
  let line = 1;
  for (let index = text.indexOf('\n'); index >= 0 && index < offset; index = text.indexOf('\n', index + 1)) line += 1;
  return line;
}

function formatProblem(problem: PolicySetProblem): string {
  return `${problem.file}${problem.line === undefined ? '' : `:${problem.line}`}: ${problem.message}`;
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

import type { RequestActionRequest__Output } from '@approvals/contracts';
import { maxParametersBytes, parametersLimits, validateActionRequest } from './request-validation';

const humans = new Set(['olivia']);
const knownHuman = (id: string) => humans.has(id);

const valid = (overrides: Partial<RequestActionRequest__Output> = {}): RequestActionRequest__Output => ({
  model: 'gpt-test',
  onBehalfOf: '',
  action: 'db.export',
  resource: { kind: 'dataset', id: 'customers' },
  environment: 'prod',
  dataClassification: '',
  parametersJson: '{"rows":5000}',
  justification: 'quarterly report',
  idempotencyKey: 'key-1',
  runId: '',
  ...overrides,
});

function violationsOf(input: RequestActionRequest__Output) {
  const result = validateActionRequest('agent-reporting', input, knownHuman);
  if (result.ok) throw new Error('expected violations, but the request was valid');
  return result.violations;
}

const onlyViolation = (input: RequestActionRequest__Output) => {
  const violations = violationsOf(input);
  expect(violations).toHaveLength(1);
  return violations[0]!;
};

/** `{"a":{"a":...1...}}` with `depth` objects. */
const nested = (depth: number): string => '{"a":'.repeat(depth - 1) + '{"a":1}' + '}'.repeat(depth - 1);

describe('validateActionRequest: a valid request', () => {
  it('is normalised: trimmed, identity from the caller, optional fields left out when empty', () => {
    const result = validateActionRequest('agent-reporting', valid({ model: '  gpt-test  ', justification: ' why ' }), knownHuman);

    expect(result).toEqual({
      ok: true,
      request: {
        agentId: 'agent-reporting',
        model: 'gpt-test',
        action: 'db.export',
        resource: { kind: 'dataset', id: 'customers' },
        environment: 'prod',
        parameters: { rows: 5000 },
        justification: 'why',
        idempotencyKey: 'key-1',
      },
    });
  });

  it('keeps on_behalf_of and data_classification when given', () => {
    const result = validateActionRequest('agent-reporting', valid({ onBehalfOf: 'olivia', dataClassification: 'pii' }), knownHuman);

    expect(result.ok && result.request).toMatchObject({ onBehalfOf: 'olivia', dataClassification: 'pii' });
  });

  it('treats empty parameters as an empty object', () => {
    const result = validateActionRequest('agent-reporting', valid({ parametersJson: '  ' }), knownHuman);

    expect(result.ok && result.request.parameters).toEqual({});
  });

  it('accepts parameters nested exactly at the depth limit', () => {
    expect(validateActionRequest('a', valid({ parametersJson: nested(parametersLimits.maxDepth) }), knownHuman).ok).toBe(true);
  });
});

describe('validateActionRequest: required fields', () => {
  it.each([
    ['model', { model: '' }],
    ['action', { action: ' ' }],
    ['resource.kind', { resource: { kind: '', id: 'x' } }],
    ['resource.id', { resource: { kind: 'dataset', id: '' } }],
    ['environment', { environment: '' }],
    ['justification', { justification: '' }],
    ['idempotency_key', { idempotencyKey: '' }],
  ] as const)('%s is required', (field, overrides) => {
    expect(onlyViolation(valid(overrides))).toEqual({ field, description: 'is required' });
  });

  it('reports a missing resource as both of its fields', () => {
    expect(violationsOf(valid({ resource: null })).map((v) => v.field)).toEqual(['resource.kind', 'resource.id']);
  });

  it('reports every broken field at once, so the caller can fix the call in one go', () => {
    const violations = violationsOf(valid({ model: '', action: 'Export', environment: 'PROD!', parametersJson: '[]' }));

    expect(violations.map((v) => v.field).sort()).toEqual(['action', 'environment', 'model', 'parameters_json']);
  });
});

describe('validateActionRequest: formats', () => {
  it.each([
    ['action', { action: 'export' }, 'must look like "<domain>.<verb>"'],
    ['action', { action: 'DB.Export' }, 'must look like "<domain>.<verb>"'],
    ['resource.kind', { resource: { kind: 'Data Set', id: 'x' } }, 'must be a lower-case word'],
    ['environment', { environment: 'PROD!' }, 'must be a lower-case name'],
    ['idempotency_key', { idempotencyKey: 'has space' }, 'must be printable ASCII without spaces'],
    ['idempotency_key', { idempotencyKey: 'clé' }, 'must be printable ASCII without spaces'],
  ] as const)('%s rejects %j', (field, overrides, description) => {
    expect(onlyViolation(valid(overrides))).toEqual({ field, description: expect.stringContaining(description) });
  });
});

describe('validateActionRequest: lengths', () => {
  it.each([
    ['model', 200, (v: string) => ({ model: v })],
    ['on_behalf_of', 200, (v: string) => ({ onBehalfOf: v })],
    ['action', 100, (v: string) => ({ action: `db.${v.slice(3)}` })],
    ['resource.kind', 100, (v: string) => ({ resource: { kind: v, id: 'x' } })],
    ['resource.id', 300, (v: string) => ({ resource: { kind: 'dataset', id: v } })],
    ['environment', 50, (v: string) => ({ environment: v })],
    ['data_classification', 50, (v: string) => ({ dataClassification: v })],
    ['justification', 4096, (v: string) => ({ justification: v })],
    ['idempotency_key', 200, (v: string) => ({ idempotencyKey: v })],
  ] as const)('%s is at most %i characters', (field, max, override) => {
    const atLimit = validateActionRequest('a', valid(override('a'.repeat(max))), () => true);
    expect(atLimit.ok).toBe(true);

    expect(onlyViolation(valid(override('a'.repeat(max + 1))))).toEqual({ field, description: `must be at most ${max} characters` });
  });
});

describe('validateActionRequest: one violation per field', () => {
  it('reports only the first rule a field breaks', () => {
    expect(onlyViolation(valid({ action: `Not.${'x'.repeat(200)}` }))).toEqual({
      field: 'action',
      description: 'must be at most 100 characters',
    });
  });

  it('does not look up an over-long on_behalf_of in the directory', () => {
    const lookups: string[] = [];
    const result = validateActionRequest('a', valid({ onBehalfOf: 'x'.repeat(201) }), (id) => (lookups.push(id), false));

    expect(result).toEqual({ ok: false, violations: [{ field: 'on_behalf_of', description: 'must be at most 200 characters' }] });
    expect(lookups).toEqual([]);
  });
});

describe('validateActionRequest: text must be valid Unicode', () => {
  it.each(['justification', 'model', 'idempotencyKey', 'runId', 'dataClassification'] as const)('refuses a lone surrogate in %s, naming the field', (field) => {
    const violations = violationsOf(valid({ [field]: 'ok\ud800' }));

    expect(violations).toContainEqual({
      field: field.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`),
      description: 'contains a lone surrogate (U+D800) at character 2: only valid Unicode text is accepted',
    });
  });

  it('refuses the parameters of a grant nobody was shown: __proto__ is refused, not dropped', () => {
    expect(violationsOf(valid({ parametersJson: '{"rows":5000,"__proto__":{"destination":"s3://elsewhere"}}' }))).toEqual([
      {
        field: 'parameters_json',
        description: 'has the member name "__proto__" at $.__proto__: "__proto__", "constructor" and "prototype" are refused at any depth',
      },
    ]);
  });
});

describe('validateActionRequest: on_behalf_of', () => {
  it('must name a human in the directory', () => {
    expect(onlyViolation(valid({ onBehalfOf: 'mallory' }))).toEqual({
      field: 'on_behalf_of',
      description: '"mallory" is not a known human in the directory',
    });
  });
});

describe('validateActionRequest: parameters_json', () => {
  const parameters = (parametersJson: string) => onlyViolation(valid({ parametersJson }));

  it(`accepts exactly ${maxParametersBytes} bytes and refuses one more`, () => {
    const padding = (total: number) => JSON.stringify({ blob: 'x'.repeat(total - '{"blob":""}'.length) });

    expect(validateActionRequest('a', valid({ parametersJson: padding(maxParametersBytes) }), knownHuman).ok).toBe(true);
    expect(parameters(padding(maxParametersBytes + 1))).toEqual({ field: 'parameters_json', description: 'must be at most 65536 bytes (UTF-8)' });
  });

  it('counts UTF-8 bytes, not characters', () => {
    // 30,000 characters of three bytes each: under the limit in characters, over it in bytes.
    const text = JSON.stringify({ blob: '€'.repeat(30_000) });
    expect(text.length).toBeLessThan(maxParametersBytes);

    expect(parameters(text)).toEqual({ field: 'parameters_json', description: 'must be at most 65536 bytes (UTF-8)' });
  });

  it('must be valid JSON', () => {
    expect(parameters('{"rows": ')).toEqual({ field: 'parameters_json', description: expect.stringMatching(/^is not valid JSON \(.+\)$/) });
  });

  it.each(['[1,2]', '"text"', '42', 'null', 'true'])('must be a JSON object, not %s', (text) => {
    expect(parameters(text)).toEqual({ field: 'parameters_json', description: 'must be a JSON object' });
  });

  it.each([
    ['{"a":1e999}', '$.a'],
    ['{"rows":[1,-1e400]}', '$.rows[1]'],
    ['{"odd key":{"n":1e309}}', '$["odd key"].n'],
  ])('refuses a number JSON parses to infinity: %s', (text, path) => {
    expect(parameters(text)).toEqual({
      field: 'parameters_json',
      description: `has a number too large to represent at ${path}: send it as a string`,
    });
  });

  it(`refuses nesting deeper than ${parametersLimits.maxDepth} levels`, () => {
    const { description } = parameters(nested(parametersLimits.maxDepth + 1));

    expect(description).toMatch(/^is nested too deeply at \$(\.a){32}: at most 32 levels of objects and arrays$/);
  });

  it('refuses deep nesting that would exhaust the stack while hashing, as a violation', () => {
    const depth = 20_000;
    const deep = '['.repeat(depth) + ']'.repeat(depth);

    const { field, description } = parameters(`{"a":${deep}}`);

    expect(field).toBe('parameters_json');
    expect(description).toMatch(/^is nested too deeply at \$\.a(\[0\]){31}: at most 32 levels/);
    expect(description.length).toBeLessThan(200);
  });

  it(`refuses an object with more than ${parametersLimits.maxKeys} keys`, () => {
    const keys = (n: number) => JSON.stringify(Object.fromEntries(Array.from({ length: n }, (_, i) => [`k${i}`, i])));

    expect(validateActionRequest('a', valid({ parametersJson: keys(parametersLimits.maxKeys) }), knownHuman).ok).toBe(true);
    expect(parameters(keys(parametersLimits.maxKeys + 1))).toEqual({
      field: 'parameters_json',
      description: 'has an object with 1001 keys at $: at most 1000 per object',
    });
  });

  it(`refuses an array with more than ${parametersLimits.maxItems} items`, () => {
    const items = (n: number) => JSON.stringify({ ids: Array.from({ length: n }, () => 0) });

    expect(validateActionRequest('a', valid({ parametersJson: items(parametersLimits.maxItems) }), knownHuman).ok).toBe(true);
    expect(parameters(items(parametersLimits.maxItems + 1))).toEqual({
      field: 'parameters_json',
      description: 'has an array of 10001 items at $.ids: at most 10000 per array',
    });
  });

  it('shortens a path made of huge keys', () => {
    const key = 'k'.repeat(5000);
    const { description } = parameters(`{"${key}":1e999}`);

    expect(description.length).toBeLessThan(200);
    expect(description).toContain('…');
  });
});

import { canonicalJson } from '../ledger/event-hash';
import { parseJsonObject, unicodeProblem } from './untrusted-json';

const limits = { maxDepth: 8, maxKeys: 50, maxItems: 50 };

function problemOf(text: string): string {
  const parsed = parseJsonObject(text, limits);
  if (parsed.ok) throw new Error(`expected ${text} to be refused`);
  return parsed.problem;
}

function valueOf(text: string) {
  const parsed = parseJsonObject(text, limits);
  if (!parsed.ok) throw new Error(`expected ${text} to be accepted: ${parsed.problem}`);
  return parsed.value;
}

describe('parseJsonObject: member names that reach prototypes', () => {
  it.each([
    ['{"rows":5000,"__proto__":{"destination":"s3://elsewhere"}}', '$.__proto__'],
    ['{"a":{"b":{"constructor":{"prototype":1}}}}', '$.a.b.constructor'],
    ['{"a":[1,2,{"prototype":true}]}', '$.a[2].prototype'],
    ['{"a":[[],[{"x":{"__proto__":null}}]]}', '$.a[1][0].x.__proto__'],
    // An escaped spelling is the same name once parsed.
    ['{"\\u005f_proto__":1}', '$.__proto__'],
  ])('%s is refused, naming %s', (text, path) => {
    expect(problemOf(text)).toBe(`has the member name "${path.split('.').pop()}" at ${path}: "__proto__", "constructor" and "prototype" are refused at any depth`);
  });

  it('keeps those words as values, and names that merely contain them', () => {
    expect(valueOf('{"note":"__proto__","my_constructor":"prototype"}')).toEqual({ note: '__proto__', my_constructor: 'prototype' });
  });

  it('returns objects whose prototype is untouched', () => {
    const value = valueOf('{"a":{"b":1}}');
    expect(Object.getPrototypeOf(value)).toBe(Object.prototype);
    expect(Object.getPrototypeOf(value['a'])).toBe(Object.prototype);
  });
});

describe('parseJsonObject: I-JSON, which RFC 8785 requires', () => {
  it('refuses a name that appears twice in one object, also when spelled differently', () => {
    expect(problemOf('{"a":1,"a":2}')).toBe('has the member name "a" twice at $.a: each name may appear once per object');
    expect(problemOf('{"x":{"a":1,"\\u0061":2}}')).toBe('has the member name "a" twice at $.x.a: each name may appear once per object');
  });

  it('accepts the same name in different objects', () => {
    expect(valueOf('{"a":{"a":1},"b":[{"a":1},{"a":2}]}')).toEqual({ a: { a: 1 }, b: [{ a: 1 }, { a: 2 }] });
  });

  it('is not confused by brackets, commas and quotes inside strings', () => {
    expect(valueOf('{"a{":"b,[\\"","c":[1,{"d":"}]"}],"e\\\\":"x"}')).toEqual({ 'a{': 'b,["', c: [1, { d: '}]' }], 'e\\': 'x' });
    expect(problemOf('{"a{":"b,[\\"","c":[1,{"d":"}]","d":2}]}')).toBe('has the member name "d" twice at $.c[1].d: each name may appear once per object');
  });

  it.each([
    ['{"a":"\\ud800"}', '$.a', 'U+D800'],
    ['{"a":["ok","x\\udc00y"]}', '$.a[1]', 'U+DC00'],
  ])('refuses a lone surrogate in a string: %s', (text, path, unit) => {
    expect(problemOf(text)).toMatch(new RegExp(`^has a string at ${path.replace(/[$[\]]/g, '\\$&')} that contains a lone surrogate \\(${unit.replace('+', '\\+')}\\)`));
  });

  it('refuses a lone surrogate in a member name, and shows it escaped', () => {
    expect(problemOf('{"k\\udbff":1}')).toMatch(/^has a member name at \$\["k\\\\udbff"\] that contains a lone surrogate \(U\+DBFF\)/);
  });

  it('accepts surrogate pairs and other unicode', () => {
    expect(valueOf('{"emoji":"\\ud83d\\ude00","é":"ß","zero":"\\u0000"}')).toEqual({ emoji: '😀', é: 'ß', zero: '\u0000' });
  });

  it.each([
    ['{"id":12345678901234567890}', '$.id', '12345678901234567890 would become 12345678901234567000'],
    ['{"a":[9007199254740993]}', '$.a[0]', '9007199254740993 would become 9007199254740992'],
    ['{"pi":3.14159265358979323846}', '$.pi', '3.14159265358979323846 would become 3.141592653589793'],
    ['{"tiny":1e-400}', '$.tiny', '1e-400 would become 0'],
  ])('refuses a number a 64-bit float does not hold exactly: %s', (text, path, detail) => {
    expect(problemOf(text)).toBe(`has a number with more precision than a 64-bit float holds at ${path} (${detail}): send it as a string`);
  });

  it('refuses numbers too large to represent', () => {
    expect(problemOf('{"a":{"b":-1e400}}')).toBe('has a number too large to represent at $.a.b: send it as a string');
  });

  it.each([
    ['1e21', '1e+21'],
    ['-0', '0'],
    ['1.0', '1'],
    ['1E3', '1000'],
    ['5e-324', '5e-324'],
    ['0.30000000000000004', '0.30000000000000004'],
    ['9007199254740992', '9007199254740992'],
    ['-0.000001', '-0.000001'],
    ['1e-7', '1e-7'],
  ])('accepts %s, whose canonical form is %s', (number, canonical) => {
    expect(canonicalJson(valueOf(`{"n":${number}}`))).toBe(`{"n":${canonical}}`);
  });
});

describe('parseJsonObject: shape', () => {
  it('bounds nesting before anything recurses, even for text deep enough to exhaust the stack', () => {
    const deep = '{"a":' + '['.repeat(50_000) + ']'.repeat(50_000) + '}';
    expect(problemOf(deep)).toBe(`is nested too deeply at $.a${'[0]'.repeat(7)}: at most 8 levels of objects and arrays`);
  });

  it('must be an object', () => {
    expect(problemOf('[1]')).toBe('must be a JSON object');
    expect(problemOf('{"a":')).toMatch(/^is not valid JSON \(/);
  });
});

describe('unicodeProblem', () => {
  it('names the lone surrogate and where it is', () => {
    expect(unicodeProblem('ab\ud800c')).toBe('contains a lone surrogate (U+D800) at character 2: only valid Unicode text is accepted');
    expect(unicodeProblem('\udfff')).toBe('contains a lone surrogate (U+DFFF) at character 0: only valid Unicode text is accepted');
    expect(unicodeProblem('😀 ok')).toBeUndefined();
  });
});

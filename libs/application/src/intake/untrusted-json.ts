import type { JsonValue } from '@approvals/domain';

/**
 * Untrusted JSON, parsed once into the only form used afterwards.
 *
 * RFC 8785 (the canonical form every hash, display and grant uses) takes I-JSON (RFC 7493) as
 * input: no duplicate member names, no lone surrogates, numbers that an IEEE double holds. Text
 * outside that is refused here, naming where, rather than silently rewritten: otherwise an
 * approver is shown one value while the agent sent another. Member names that reach object
 * prototypes (`__proto__`, `constructor`, `prototype`) are refused at any depth, so no consumer
 * can turn them into a prototype by rebuilding an object by assignment.
 */

/** Member names refused at any depth of untrusted JSON. */
export const forbiddenJsonKeys: ReadonlySet<string> = new Set(['__proto__', 'constructor', 'prototype']);

/** Limits on the shape of parsed JSON, so hashing and policy evaluation stay cheap and safe. */
export interface JsonShapeLimits {
  /** Nesting levels of objects and arrays; the top-level value is level 1. */
  maxDepth: number;
  /** Members of any one object. */
  maxKeys: number;
  /** Items of any one array. */
  maxItems: number;
}

export type JsonObject = { [key: string]: JsonValue };

export type ParsedJson = { ok: true; value: JsonObject } | { ok: false; problem: string };

type Segment = string | number;

/** A JSONPath-like location such as `$.rows[3]["odd key"]`, shortened for a message. */
export function formatJsonPath(segments: readonly Segment[]): string {
  let path = '$';
  for (const segment of segments) {
    path += typeof segment === 'number' ? `[${segment}]` : /^[A-Za-z_$][\w$]*$/.test(segment) ? `.${segment}` : `[${quoteForMessage(segment)}]`;
    if (path.length > 100) return `${path.slice(0, 99)}…`;
  }
  return path;
}

/** A string as a JSON literal, with lone surrogates shown as escapes rather than sent on. */
function quoteForMessage(text: string): string {
  return JSON.stringify(text.toWellFormed() === text ? text : text.replace(/[\ud800-\udfff]/g, (unit) => `\\u${unit.charCodeAt(0).toString(16)}`));
}

/** Why `text` is not valid Unicode (a lone surrogate), or undefined when it is. */
export function unicodeProblem(text: string): string | undefined {
  if (text.isWellFormed()) return undefined;
  const index = text.search(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/);
  return `contains a lone surrogate (U+${text.charCodeAt(index).toString(16).toUpperCase()}) at character ${index}: only valid Unicode text is accepted`;
}

/**
 * Parses `text` as a JSON object under RFC 8785's input rules and the given limits. The value
 * returned holds only own data properties, built by JSON.parse.
 */
export function parseJsonObject(text: string, limits: JsonShapeLimits): ParsedJson {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    return { ok: false, problem: `is not valid JSON (${(error as Error).message})` };
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return { ok: false, problem: 'must be a JSON object' };
  // The text first (iteratively, so depth is bounded before anything recurses), then the values.
  const problem = textProblem(text, limits.maxDepth) ?? valueProblem(value, [], limits);
  return problem ? { ok: false, problem } : { ok: true, value: value as JsonObject };
}

/**
 * True when the double parsed from `source` keeps every significant digit of it, so the canonical
 * form (which prints the double) shows the number the agent sent.
 */
function holdsExactly(source: string, parsed: number): boolean {
  return Number.isFinite(parsed) && significantDigits(source) === significantDigits(String(parsed));
}

function significantDigits(numberText: string): string {
  const mantissa = numberText.replace(/^-/, '').split(/[eE]/)[0]!.replace('.', '');
  return mantissa.replace(/^0+/, '').replace(/0+$/, '');
}

/**
 * The first string, member name or container in `value` that breaks the rules, described with its
 * path, or undefined. Called once the depth is known to be within the limit.
 */
function valueProblem(value: unknown, path: Segment[], limits: JsonShapeLimits): string | undefined {
  if (typeof value === 'string') {
    const problem = unicodeProblem(value);
    return problem ? `has a string at ${formatJsonPath(path)} that ${problem}` : undefined;
  }
  if (value === null || typeof value !== 'object') return undefined;
  const isArray = Array.isArray(value);
  const entries: [Segment, unknown][] = isArray ? value.map((item, i) => [i, item]) : Object.entries(value);
  if (isArray && entries.length > limits.maxItems) {
    return `has an array of ${entries.length} items at ${formatJsonPath(path)}: at most ${limits.maxItems} per array`;
  }
  if (!isArray && entries.length > limits.maxKeys) {
    return `has an object with ${entries.length} keys at ${formatJsonPath(path)}: at most ${limits.maxKeys} per object`;
  }
  for (const [key, child] of entries) {
    path.push(key);
    const nameProblem = isArray ? undefined : unicodeProblem(key as string);
    const problem = nameProblem ? `has a member name at ${formatJsonPath(path)} that ${nameProblem}` : valueProblem(child, path, limits);
    path.pop();
    if (problem) return problem;
  }
  return undefined;
}

function numberProblem(source: string, parsed: number, path: Segment[]): string {
  const where = formatJsonPath(path);
  if (!Number.isFinite(parsed)) return `has a number too large to represent at ${where}: send it as a string`;
  const shown = source.length > 40 ? `${source.slice(0, 39)}…` : source;
  return `has a number with more precision than a 64-bit float holds at ${where} (${shown} would become ${String(parsed)}): send it as a string`;
}

/**
 * The first problem visible in the text of valid JSON, with its path: nesting past `maxDepth`, a
 * forbidden or duplicate member name, or a number the parsed double does not hold exactly.
 * JSON.parse keeps the last of duplicate names and a parser elsewhere may keep the first, so such
 * text is ambiguous (RFC 7493 section 2.3). Numbers are read from the text because the parsed
 * value no longer shows which digits were lost.
 */
function textProblem(text: string, maxDepth: number): string | undefined {
  // One frame per open object or array: the names seen (objects) and the current member or index.
  const frames: { names: Set<string> | undefined; at: Segment }[] = [];
  const pathHere = () => frames.map((f) => f.at);
  let expectName = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c === '"') {
      const end = stringEnd(text, i);
      const frame = frames[frames.length - 1];
      if (expectName && frame?.names) {
        const name = JSON.parse(text.slice(i, end + 1)) as string;
        frame.at = name;
        if (forbiddenJsonKeys.has(name)) {
          return `has the member name "${name}" at ${formatJsonPath(pathHere())}: "__proto__", "constructor" and "prototype" are refused at any depth`;
        }
        if (frame.names.has(name)) return `has the member name ${quoteForMessage(name)} twice at ${formatJsonPath(pathHere())}: each name may appear once per object`;
        frame.names.add(name);
        expectName = false;
      }
      i = end;
    } else if (c === '{' || c === '[') {
      if (frames.length >= maxDepth) return `is nested too deeply at ${formatJsonPath(pathHere())}: at most ${maxDepth} levels of objects and arrays`;
      frames.push(c === '{' ? { names: new Set(), at: '' } : { names: undefined, at: 0 });
      expectName = c === '{';
    } else if (c === '}' || c === ']') {
      frames.pop();
    } else if (c === ',') {
      const frame = frames[frames.length - 1];
      if (frame?.names) expectName = true;
      else if (frame) frame.at = (frame.at as number) + 1;
    } else if (c === '-' || (c >= '0' && c <= '9')) {
      let end = i + 1;
      while (end < text.length && /[0-9.eE+-]/.test(text[end]!)) end++;
      const source = text.slice(i, end);
      const parsed = Number(source);
      if (!holdsExactly(source, parsed)) return numberProblem(source, parsed, pathHere());
      i = end - 1;
    }
  }
  return undefined;
}

/** Index of the closing quote of the JSON string starting at `start`. */
function stringEnd(text: string, start: number): number {
  for (let i = start + 1; i < text.length; i++) {
    if (text[i] === '\\') i++;
    else if (text[i] === '"') return i;
  }
  return text.length - 1;
}

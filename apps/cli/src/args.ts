import { parseArgs } from 'node:util';
import { ActionStatus, type ActionStatus__Output, type Resource } from '@approvals/contracts';
import { UsageError } from './errors';

/** A flag as parseArgs knows it, plus what the help shows. */
export interface OptionSpec {
  type: 'string' | 'boolean';
  multiple?: boolean;
  short?: string;
  /** Placeholder for the value in help, e.g. '<id>'. */
  value?: string;
  description: string;
}

export type OptionSpecs = Record<string, OptionSpec>;

/** Flags every command accepts, before or after the command name. */
export const globalOptions = {
  address: { type: 'string', value: '<host:port>', description: 'server address (default: APPROVALS_ADDRESS or 127.0.0.1:50051); in distributed mode the intake, with APPROVALS_DECISIONS_ADDRESS and APPROVALS_AUDIT_ADDRESS for votes and audit' },
  'api-key': { type: 'string', value: '<key>', description: 'API key sent as x-api-key (default: from --agent/--as, else APPROVALS_API_KEY)' },
  token: {
    type: 'string',
    value: '<jwt>',
    description: 'bearer token of your identity provider, sent as authorization: Bearer (default: APPROVALS_TOKEN); replaces API keys',
  },
  directory: {
    type: 'string',
    value: '<file>',
    description: 'directory file with the demo keys (default: APPROVALS_DIRECTORY or policies/demo/directory.json)',
  },
  json: { type: 'boolean', description: 'print the raw responses as JSON, one object per line' },
  help: { type: 'boolean', short: 'h', description: 'show help' },
} as const satisfies OptionSpecs;

/** Parses a command's arguments strictly (its own flags plus the global ones). */
export function parseCommandArgs<const O extends OptionSpecs>(command: string, args: string[], options: O) {
  try {
    return parseArgs({ args, options: { ...globalOptions, ...options }, strict: true, allowPositionals: true });
  } catch (error) {
    throw new UsageError(`${command}: ${describeParseError(error)}`);
  }
}

function describeParseError(error: unknown): string {
  // Node's messages, without the "TypeError [ERR_...]: " prefix some environments add.
  const message = (error instanceof Error ? error.message : String(error)).replace(/^\w*Error \[ERR_\w+\]: /, '');
  const flag = /'(-[^' ]+)/.exec(message)?.[1] ?? '';
  switch ((error as { code?: string }).code) {
    case 'ERR_PARSE_ARGS_UNKNOWN_OPTION':
      return `unknown option ${flag}`;
    case 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL':
      return message;
    case 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE':
      if (message.endsWith('argument missing')) return `${flag} needs a value`;
      if (message.endsWith('does not take an argument')) return `${flag} takes no value`;
      return message.replace(/^Option /, 'option ');
    default:
      return message;
  }
}

/** Checks the positional arguments against the names the command takes. */
export function expectPositionals<const Names extends readonly string[]>(
  command: string,
  positionals: string[],
  names: Names,
): { [K in keyof Names]: string } {
  if (positionals.length < names.length) {
    throw new UsageError(`${command}: missing ${names.slice(positionals.length).map((name) => `<${name}>`).join(' ')}`);
  }
  if (positionals.length > names.length) throw new UsageError(`${command}: unexpected argument "${positionals[names.length]}"`);
  return positionals as { [K in keyof Names]: string };
}

/** Returns a flag's value or explains that the command needs it. */
export function required(command: string, flag: string, value: string | undefined): string {
  if (value === undefined || value.trim() === '') throw new UsageError(`${command}: --${flag} is required`);
  return value;
}

/**
 * Lets `--name` take an optional value (parseArgs cannot): `--wait 30` and `--wait=30` keep theirs,
 * a bare `--wait` gets `fallback`.
 */
export function withOptionalValue(args: readonly string[], name: string, fallback: string): string[] {
  const flag = `--${name}`;
  const out: string[] = [];
  for (let index = 0; index < args.length; index += 1) {
    const arg = args[index] as string;
    if (arg === '--') {
      out.push(...args.slice(index));
      break;
    }
    if (arg !== flag) {
      out.push(arg);
      continue;
    }
    const next = args[index + 1];
    if (next !== undefined && /^\d+(\.\d+)?$/.test(next)) {
      out.push(`${flag}=${next}`);
      index += 1;
    } else {
      out.push(`${flag}=${fallback}`);
    }
  }
  return out;
}

const numberPattern = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?$/;

/** Reads a `--param` value: numbers, booleans, null and JSON arrays/objects/strings are typed; anything else stays text. */
export function parseParamValue(raw: string): unknown {
  if (raw === 'true') return true;
  if (raw === 'false') return false;
  if (raw === 'null') return null;
  if (numberPattern.test(raw)) {
    const value = Number(raw);
    // Integers beyond 2^53 would silently change; keep them as text.
    if (Number.isFinite(value) && (!Number.isInteger(value) || Number.isSafeInteger(value))) return value;
    return raw;
  }
  if (/^[[{"]/.test(raw)) {
    try {
      return JSON.parse(raw) as unknown;
    } catch {
      return raw;
    }
  }
  return raw;
}

/** Splits `key=value` (at the first '='). */
export function parseParam(text: string): [string, unknown] {
  const at = text.indexOf('=');
  if (at <= 0) throw new UsageError(`--param expects key=value, e.g. --param rows=5000 (got "${text}")`);
  return [text.slice(0, at).trim(), parseParamValue(text.slice(at + 1))];
}

/** Builds the action's parameters from `--params-json` and then the `--param` flags, which win. */
export function buildParameters(params: readonly string[], paramsJson?: string): Record<string, unknown> {
  let base: Record<string, unknown> = {};
  if (paramsJson !== undefined) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(paramsJson);
    } catch (error) {
      throw new UsageError(`--params-json is not valid JSON: ${error instanceof Error ? error.message : String(error)}`);
    }
    if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
      throw new UsageError('--params-json must be a JSON object, e.g. \'{"rows":5000}\'');
    }
    base = parsed as Record<string, unknown>;
  }
  const fromFlags: Record<string, unknown> = {};
  for (const text of params) {
    const [key, value] = parseParam(text);
    if (Object.hasOwn(fromFlags, key)) throw new UsageError(`--param ${key} is given more than once`);
    fromFlags[key] = value;
  }
  return { ...base, ...fromFlags };
}

/** Reads `kind:id`, e.g. dataset:customers. */
export function parseResource(text: string): Resource {
  const at = text.indexOf(':');
  const kind = text.slice(0, at).trim();
  const id = text.slice(at + 1).trim();
  if (at <= 0 || kind === '' || id === '') throw new UsageError(`--resource must look like kind:id, e.g. dataset:customers (got "${text}")`);
  return { kind, id };
}

/** Reads a positive number of seconds (at most one day). */
export function parseSeconds(flag: string, text: string): number {
  const seconds = Number(text);
  if (text.trim() === '' || !Number.isFinite(seconds) || seconds <= 0 || seconds > 86_400) {
    throw new UsageError(`${flag} must be a number of seconds between 0 and 86400 (got "${text}")`);
  }
  return seconds;
}

/** Reads a duration such as "600", "90s", "30m" or "1h" as whole seconds (at least 1, at most 30 days). */
export function parseDuration(flag: string, text: string): number {
  const match = /^(\d+)\s*(s|m|h)?$/.exec(text.trim());
  const seconds = match ? Number(match[1]) * ({ s: 1, m: 60, h: 3600 } as const)[(match[2] ?? 's') as 's' | 'm' | 'h'] : Number.NaN;
  if (!Number.isInteger(seconds) || seconds < 1 || seconds > 30 * 86_400) {
    throw new UsageError(`${flag} must be a duration such as 600, 90s, 30m or 1h, up to 30 days (got "${text}")`);
  }
  return seconds;
}

/** Reads a whole number in [min, max]. */
export function parseInteger(flag: string, text: string, min: number, max: number): number {
  const value = Number(text);
  if (!/^\d+$/.test(text) || value < min || value > max) throw new UsageError(`${flag} must be a whole number from ${min} to ${max} (got "${text}")`);
  return value;
}

const statuses = Object.values(ActionStatus).filter((status) => status !== ActionStatus.ACTION_STATUS_UNSPECIFIED);

/** Reads an action status, forgiving case and '-' for '_' (e.g. awaiting-approval). */
export function parseStatus(text: string): ActionStatus__Output {
  const wanted = text.trim().toUpperCase().replace(/-/g, '_');
  const status = statuses.find((candidate) => candidate === wanted);
  if (!status) throw new UsageError(`--status must be one of ${statuses.join(', ')} (got "${text}")`);
  return status;
}

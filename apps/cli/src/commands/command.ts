import type { ApprovalsApi } from '../api';
import type { OptionSpecs } from '../args';
import { UsageError } from '../errors';
import type { Principal } from '../directory';

/** Where a command writes; each call is one line (or block) of text. */
export interface Io {
  out(text: string): void;
  err(text: string): void;
  /** Rewrites one status line on a terminal (long work); absent when stderr is not a TTY. '' clears it. */
  progress?(text: string): void;
}

/** What a command needs from the outside world; tests pass fakes. */
export interface CliContext {
  io: Io;
  /** --json: print raw responses, one JSON object per line. */
  json: boolean;
  address: string;
  /** The directory file (--directory, APPROVALS_DIRECTORY or policies/demo/directory.json). */
  directoryPath: string;
  /** A bearer token (--token or APPROVALS_TOKEN): when given, it is the identity and no API key is needed. */
  token?: string | undefined;
  /** The key to call with: --api-key, else the principal's demo key from the directory file, else APPROVALS_API_KEY. */
  apiKeyFor(principal: Principal | undefined): string | undefined;
  /** Opens the API as the caller with this key; the CLI closes it when the command ends. */
  connect(apiKey: string | undefined): ApprovalsApi;
  now(): Date;
  newIdempotencyKey(): string;
}

/** One `approvals <name>` command. */
export interface Command {
  name: string;
  /** What follows `approvals` in the usage line, e.g. 'get <actionId> [options]'. */
  synopsis: string;
  /** One line for the command list. */
  summary: string;
  /** A paragraph for the command's help. */
  description?: string;
  options: OptionSpecs;
  run(args: string[], ctx: CliContext): Promise<number>;
}

/** --agent / --as for commands that can be called as either. */
export const callerOptions = {
  agent: { type: 'string', value: '<id>', description: 'call as this demo agent (its apiKey from the directory file)' },
  as: { type: 'string', value: '<human>', description: 'call as this person (their apiKey from the directory file)' },
} as const satisfies OptionSpecs;

/** The principal named by --agent or --as, if any. */
export function callerOf(command: string, values: { agent?: string | undefined; as?: string | undefined }): Principal | undefined {
  if (values.agent !== undefined && values.as !== undefined) throw new UsageError(`${command}: give --agent or --as, not both`);
  if (values.agent !== undefined) return { kind: 'agent', id: values.agent };
  if (values.as !== undefined) return { kind: 'human', id: values.as };
  return undefined;
}

/** The key a command cannot run without, unless a bearer token identifies the caller. */
export function requireApiKey(ctx: CliContext, principal: Principal | undefined, missing: string): string | undefined {
  if (ctx.token) return undefined;
  const apiKey = ctx.apiKeyFor(principal);
  if (apiKey === undefined) throw new UsageError(`${missing} (or pass --api-key, or set APPROVALS_API_KEY)`);
  return apiKey;
}

/** Prints one response object as a line of JSON. */
export function printJson(io: Io, value: unknown): void {
  io.out(JSON.stringify(value));
}

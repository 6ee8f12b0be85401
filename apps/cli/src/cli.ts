import { randomUUID } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { createApprovalsClient, isServiceError, statusName } from '@approvals/client';
import type { ServiceAddresses } from '@approvals/client';
import { grpcApi, type ApprovalsApi } from './api';
import { globalOptions } from './args';
import { commands, type CliContext, type Command, type Io } from './commands';
import { demoApiKey, readDirectory, type DemoDirectory, type Principal } from './directory';
import { ExitCode, UsageError } from './errors';
import { commandHelp, generalHelp } from './help';

export const DEFAULT_ADDRESS = '127.0.0.1:50051';
const DEFAULT_DIRECTORY = join('policies', 'demo', 'directory.json');

/** The environment variables the CLI reads (main.ts reads process.env once). */
export interface CliEnv {
  APPROVALS_ADDRESS?: string | undefined;
  /** Distributed mode: where the notifier (votes, pending) and the audit projector listen, if not at APPROVALS_ADDRESS. */
  APPROVALS_DECISIONS_ADDRESS?: string | undefined;
  APPROVALS_AUDIT_ADDRESS?: string | undefined;
  APPROVALS_API_KEY?: string | undefined;
  /** A bearer JWT to call with instead of API keys (deployments that authenticate with JWTs). */
  APPROVALS_TOKEN?: string | undefined;
  APPROVALS_DIRECTORY?: string | undefined;
}

/** Everything runCli touches outside itself; tests replace what they need. */
export interface CliDeps {
  io: Io;
  env?: CliEnv;
  cwd?: string;
  connect?: (options: { address: string | ServiceAddresses; apiKey?: string | undefined; bearerToken?: string | undefined }) => ApprovalsApi;
  readFile?: (path: string) => string;
  now?: () => Date;
  newIdempotencyKey?: () => string;
}

/** The default directory file: under the working directory, else under the checkout this CLI runs from. */
function defaultDirectory(cwd: string): string {
  const candidates = [resolve(cwd, DEFAULT_DIRECTORY)];
  for (let dir = __dirname; dirname(dir) !== dir; dir = dirname(dir)) candidates.push(join(dir, DEFAULT_DIRECTORY));
  return candidates.find((candidate) => existsSync(candidate)) ?? (candidates[0] as string);
}

/** Splits off the command name: the first positional argument, wherever the global flags are. */
function findCommand(argv: string[]): { name?: string; rest: string[]; help: boolean; globals: Record<string, unknown> } {
  const { values, tokens } = parseArgs({ args: argv, options: globalOptions, strict: false, allowPositionals: true, tokens: true });
  const first = tokens.find((token) => token.kind === 'positional');
  if (!first) return { rest: argv, help: values.help === true, globals: values };
  return { name: first.value, rest: argv.filter((_, index) => index !== first.index), help: values.help === true, globals: values };
}

function stringFlag(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

function report(error: unknown, io: Io, address: string, command: string | undefined): number {
  if (error instanceof UsageError) {
    io.err(`error: ${error.message}`);
    io.err(`run "approvals ${command ? `${command} ` : ''}--help" for usage`);
    return ExitCode.usage;
  }
  if (isServiceError(error)) {
    const name = statusName(error.code);
    // grpc-js appends an empty "Resolution note: " to connection errors.
    const details = (error.details || error.message).replace(/\s*Resolution note:\s*$/, '');
    io.err(`error: ${name}: ${details}`);
    if (name === 'UNAVAILABLE') io.err(`hint: no approvals server answers at ${address}; start it with npm start (or use --address / APPROVALS_ADDRESS)`);
    if (name === 'UNAUTHENTICATED') io.err('hint: check the caller: --agent / --as (demo keys from the directory file) or --api-key');
    if (name === 'DEADLINE_EXCEEDED') io.err(`hint: the server at ${address} did not answer in time`);
    return ExitCode.failure;
  }
  io.err(`error: ${error instanceof Error ? error.message : String(error)}`);
  return ExitCode.failure;
}

/** Runs `approvals <argv>` and returns the exit code; it never throws and never calls process.exit. */
export async function runCli(argv: string[], deps: CliDeps): Promise<number> {
  const { io, env = {}, cwd = process.cwd() } = deps;
  let parsed: ReturnType<typeof findCommand>;
  try {
    parsed = findCommand(argv);
  } catch (error) {
    return report(new UsageError(error instanceof Error ? error.message : String(error)), io, DEFAULT_ADDRESS, undefined);
  }
  const address = stringFlag(parsed.globals.address) ?? env.APPROVALS_ADDRESS ?? DEFAULT_ADDRESS;

  if (parsed.name === undefined || parsed.name === 'help') {
    const topic = parsed.name === 'help' ? parsed.rest.find((arg) => !arg.startsWith('-')) : undefined;
    if (topic !== undefined) {
      const command = commands.find((candidate) => candidate.name === topic);
      if (!command) return report(new UsageError(`unknown command "${topic}"`), io, address, undefined);
      io.out(commandHelp(command));
      return ExitCode.ok;
    }
    if (parsed.help || parsed.name === 'help') {
      io.out(generalHelp(commands));
      return ExitCode.ok;
    }
    io.err(generalHelp(commands));
    return ExitCode.usage;
  }

  const command: Command | undefined = commands.find((candidate) => candidate.name === parsed.name);
  if (!command) return report(new UsageError(`unknown command "${parsed.name}"`), io, address, undefined);
  if (parsed.help) {
    io.out(commandHelp(command));
    return ExitCode.ok;
  }

  const apiKeyFlag = stringFlag(parsed.globals['api-key']);
  const token = stringFlag(parsed.globals.token) ?? stringFlag(env.APPROVALS_TOKEN);
  const directoryPath = stringFlag(parsed.globals.directory) ?? env.APPROVALS_DIRECTORY ?? defaultDirectory(cwd);
  const readFile = deps.readFile ?? ((path: string) => readFileSync(path, 'utf8'));
  const connect = deps.connect ?? ((options) => grpcApi(createApprovalsClient(options)));
  let directory: DemoDirectory | undefined;
  const opened: ApprovalsApi[] = [];
  const ctx: CliContext = {
    io,
    json: parsed.globals.json === true,
    address,
    directoryPath,
    token,
    apiKeyFor(principal: Principal | undefined) {
      if (apiKeyFlag !== undefined) return apiKeyFlag;
      if (principal !== undefined) {
        directory ??= readDirectory(directoryPath, readFile);
        return demoApiKey(directory, directoryPath, principal);
      }
      return stringFlag(env.APPROVALS_API_KEY);
    },
    connect(apiKey) {
      const api = connect({
        address: {
          intake: address,
          decisions: stringFlag(env.APPROVALS_DECISIONS_ADDRESS) ?? address,
          audit: stringFlag(env.APPROVALS_AUDIT_ADDRESS) ?? address,
        },
        ...(token ? { bearerToken: token } : { apiKey }),
      });
      opened.push(api);
      return api;
    },
    now: deps.now ?? (() => new Date()),
    newIdempotencyKey: deps.newIdempotencyKey ?? randomUUID,
  };
  try {
    return await command.run(parsed.rest, ctx);
  } catch (error) {
    return report(error, io, address, command.name);
  } finally {
    for (const api of opened) api.close();
  }
}

import { z } from 'zod';
import { CliError } from './errors';

// Only the fields the CLI needs; the services validate the full file (libs/identity/src/directory).
const directorySchema = z.object({
  humans: z.array(z.object({ id: z.string(), name: z.string().optional(), groups: z.array(z.string()).optional(), apiKey: z.string().optional() })).default([]),
  agents: z.array(z.object({ id: z.string(), owner: z.string().optional(), apiKey: z.string().optional() })).default([]),
});

/** The people and agents of a directory file, with their demo API keys. */
export type DemoDirectory = z.infer<typeof directorySchema>;

/** Someone to call as: a demo agent or a human approver from the directory file. */
export interface Principal {
  kind: 'agent' | 'human';
  id: string;
}

/** Reads a directory file; every failure names the file and what to do. */
export function readDirectory(path: string, readFile: (path: string) => string): DemoDirectory {
  let text: string;
  try {
    text = readFile(path);
  } catch (error) {
    const reason = (error as { code?: string }).code === 'ENOENT' ? 'no such file' : error instanceof Error ? error.message : String(error);
    throw new CliError(`cannot read the directory file ${path}: ${reason} (use --directory or APPROVALS_DIRECTORY, or pass --api-key)`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new CliError(`the directory file ${path} is not valid JSON: ${error instanceof Error ? error.message : String(error)}`);
  }
  const parsed = directorySchema.safeParse(json);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join('.') || '(file)'}: ${issue.message}`);
    throw new CliError(`the directory file ${path} is malformed: ${problems.join('; ')}`);
  }
  return parsed.data;
}

/** The demo API key of an agent or human in the directory. */
export function demoApiKey(directory: DemoDirectory, path: string, principal: Principal): string {
  const entry = principal.kind === 'agent' ? directory.agents.find((a) => a.id === principal.id) : directory.humans.find((h) => h.id === principal.id);
  if (!entry) {
    const known = (principal.kind === 'agent' ? directory.agents : directory.humans).map((e) => e.id);
    throw new CliError(`${principal.kind} "${principal.id}" is not in the directory file ${path}${known.length ? ` (known: ${known.join(', ')})` : ''}`);
  }
  if (!entry.apiKey) throw new CliError(`${principal.kind} "${principal.id}" has no apiKey in the directory file ${path}; pass --api-key instead`);
  return entry.apiKey;
}

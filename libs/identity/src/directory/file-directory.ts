import { createHash, timingSafeEqual } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { Agent, Directory, Human } from '@approvals/application';
import type { AccountChannelKind } from '@approvals/contracts';
import { normalizedAccount } from '@approvals/contracts';
import { directoryFileSchema, type DirectoryFile } from './directory-file.schema';

/** An approver group declared in the directory file. */
export interface DirectoryGroup {
  id: string;
  description?: string | undefined;
}

/** The holder of an API key, as Directory.authenticate returns it. */
export interface KeyHolder {
  kind: 'agent' | 'human';
  id: string;
}

/** A directory file that cannot be used; `problems` name each bad field (e.g. `humans[2].groups[0]: ...`). */
export class DirectoryFileError extends Error {
  readonly code = 'DIRECTORY_INVALID';

  constructor(
    readonly file: string,
    readonly problems: string[],
  ) {
    super(`invalid directory file ${file}:\n${problems.map((problem) => `  - ${problem}`).join('\n')}`);
    this.name = 'DirectoryFileError';
  }
}

/** An in-memory Directory read from a validated directory file. */
export class FileDirectory implements Directory {
  private readonly humansById: ReadonlyMap<string, Human>;
  private readonly agentsById: ReadonlyMap<string, Agent>;
  private readonly groupsById: ReadonlyMap<string, DirectoryGroup>;
  private readonly keyDigests: readonly { digest: Buffer; holder: KeyHolder }[];

  constructor(file: DirectoryFile) {
    // Frozen: callers share these objects, and a changed group list would change who may approve.
    this.groupsById = new Map(file.groups.map((group) => [group.id, Object.freeze({ ...group })]));
    this.humansById = new Map(
      file.humans.map((human) => [human.id, Object.freeze({ ...human, groups: Object.freeze([...new Set(human.groups)]) as string[] })]),
    );
    this.agentsById = new Map(file.agents.map((agent) => [agent.id, Object.freeze({ ...agent })]));
    this.keyDigests = [
      ...file.humans.flatMap((human) => (human.apiKey ? [{ digest: sha256(human.apiKey), holder: { kind: 'human' as const, id: human.id } }] : [])),
      ...file.agents.flatMap((agent) => (agent.apiKey ? [{ digest: sha256(agent.apiKey), holder: { kind: 'agent' as const, id: agent.id } }] : [])),
    ];
  }

  findHuman(id: string): Human | undefined {
    return this.humansById.get(id);
  }

  findAgent(id: string): Agent | undefined {
    return this.agentsById.get(id);
  }

  groupMembers(group: string): Human[] {
    return this.humans().filter((human) => human.groups.includes(group));
  }

  humans(): Human[] {
    return [...this.humansById.values()];
  }

  findHumanByAccount(kind: AccountChannelKind, accountId: string): Human | undefined {
    const id = normalizedAccount(kind, accountId);
    return this.humans().find((human) => human[kind] === id);
  }

  agents(): Agent[] {
    return [...this.agentsById.values()];
  }

  /** The groups declared in the file. */
  groups(): DirectoryGroup[] {
    return [...this.groupsById.values()];
  }

  /** Who holds this demo API key; compares digests in constant time and checks every key. */
  authenticate(apiKey: string): KeyHolder | undefined {
    const digest = sha256(apiKey);
    let found: KeyHolder | undefined;
    for (const entry of this.keyDigests) {
      if (timingSafeEqual(entry.digest, digest)) found = entry.holder;
    }
    return found ? { ...found } : undefined;
  }
}

/** Parses and validates directory JSON; `source` names the file in error messages. */
export function parseDirectory(json: unknown, source = 'directory'): FileDirectory {
  const parsed = directoryFileSchema.safeParse(json);
  if (!parsed.success) {
    throw new DirectoryFileError(
      source,
      parsed.error.issues.map((issue) => `${formatPath(issue.path)}: ${issue.message}`),
    );
  }
  return new FileDirectory(parsed.data);
}

/** Reads a directory file (see policies/demo/directory.json) into a Directory; throws DirectoryFileError. */
export function loadDirectory(file: string): FileDirectory {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new DirectoryFileError(file, [`cannot read the file: ${(error as Error).message}`]);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new DirectoryFileError(file, [`not valid JSON: ${(error as Error).message}`]);
  }
  return parseDirectory(json, file);
}

function formatPath(path: readonly PropertyKey[]): string {
  if (path.length === 0) return '(file)';
  return path
    .map((key, index) => (typeof key === 'number' ? `[${key}]` : `${index === 0 ? '' : '.'}${String(key)}`))
    .join('');
}

function sha256(value: string): Buffer {
  return createHash('sha256').update(value, 'utf8').digest();
}

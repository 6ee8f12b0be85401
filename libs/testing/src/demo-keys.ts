import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from './server-process';

interface DirectoryFile {
  humans: { id: string; apiKey?: string }[];
  agents: { id: string; apiKey?: string }[];
}

/** The demo API key of an agent or human from the shipped directory file (policies/demo/directory.json). */
export function demoKey(id: string): string {
  const directory = JSON.parse(readFileSync(join(repoRoot(), 'policies', 'demo', 'directory.json'), 'utf8')) as DirectoryFile;
  const key = [...directory.agents, ...directory.humans].find((p) => p.id === id)?.apiKey;
  if (!key) throw new Error(`no demo API key for ${id} in policies/demo/directory.json`);
  return key;
}

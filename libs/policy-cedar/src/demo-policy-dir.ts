import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** Finds the shipped demo policy set (`policies/demo`) by walking up from `from`; works from sources and from dist/. */
export function findDemoPolicyDir(from: string = __dirname): string {
  for (let dir = from; ; dir = dirname(dir)) {
    const candidate = join(dir, 'policies', 'demo');
    if (existsSync(join(candidate, 'approvals.cedarschema'))) return candidate;
    if (dirname(dir) === dir) throw new Error(`no policies/demo directory above ${from}`);
  }
}

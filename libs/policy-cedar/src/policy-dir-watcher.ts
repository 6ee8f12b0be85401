import { watch, type FSWatcher } from 'node:fs';
import { basename, dirname } from 'node:path';
import { CEDAR_POLICY_EXTENSION, CEDAR_SCHEMA_EXTENSION } from './cedar-policy-set';

/**
 * Calls `onChange` once a burst of changes to a policy directory's schema and policy files (or to
 * the directory file) has settled: editors write a file in several steps, and a rollout may
 * replace several files. Other files in the directory (tests, notes) are ignored.
 */
export class PolicyDirWatcher {
  private readonly watchers: FSWatcher[] = [];
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly policyDir: string,
    private readonly directoryFile: string,
    private readonly onChange: () => void,
    /** A watch that fails (its folder removed, say) ends; the files are still reloaded on SIGHUP. */
    private readonly onError: (error: Error) => void = () => undefined,
    private readonly settleMs = 300,
  ) {}

  start(): void {
    const policyFile = (name: string) => name.endsWith(CEDAR_POLICY_EXTENSION) || name.endsWith(CEDAR_SCHEMA_EXTENSION);
    this.watchers.push(watch(this.policyDir, (_event, name) => (name === null || policyFile(name)) && this.changed()));
    // The directory file is watched through its folder: replacing it (a rename) ends a watch on the file itself.
    const directoryName = basename(this.directoryFile);
    if (dirname(this.directoryFile) !== this.policyDir || !policyFile(directoryName)) {
      this.watchers.push(watch(dirname(this.directoryFile), (_event, name) => (name === null || name === directoryName) && this.changed()));
    }
    for (const watcher of this.watchers) {
      watcher.on('error', this.onError);
      watcher.unref();
    }
  }

  stop(): void {
    clearTimeout(this.timer);
    for (const watcher of this.watchers.splice(0)) watcher.close();
  }

  private changed(): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(this.onChange, this.settleMs);
    this.timer.unref();
  }
}

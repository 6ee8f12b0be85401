import { appendFileSync, cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Worker } from 'node:worker_threads';
import type { ActionRequest } from '@approvals/domain';
import { repoRoot } from '@approvals/testing';
import type * as EngineThread from './policy-engine-thread';

// The thread runs compiled code (its worker file is JavaScript): the build's, as in production.
// eslint-disable-next-line @typescript-eslint/no-require-imports -- a module of dist/, loaded at run time
const { PolicyEngineThread } = require(join(repoRoot(), 'dist', 'apps', 'policy-evaluator', 'src', 'policy-engine-thread.js')) as typeof EngineThread;

const request: ActionRequest = {
  agentId: 'agent-reporting',
  model: 'm',
  action: 'db.read',
  resource: { kind: 'dataset', id: 'customers' },
  environment: 'prod',
  parameters: {},
  justification: 'test',
  idempotencyKey: 'k1',
};

/** What a crash of the thread looks like from outside (out of memory, a native fault). */
const crash = (engine: EngineThread.PolicyEngineThread) => (engine as unknown as { worker: Worker }).worker.terminate();

async function eventually<T>(probe: () => Promise<T>, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await probe();
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
}

describe('PolicyEngineThread when its thread dies', () => {
  let policyDir: string;
  let engine: EngineThread.PolicyEngineThread | undefined;
  const exits: { message: string; restarted: boolean }[] = [];

  beforeEach(async () => {
    policyDir = mkdtempSync(join(tmpdir(), 'approvals-policies-'));
    cpSync(join(repoRoot(), 'policies', 'demo'), policyDir, { recursive: true });
    exits.length = 0;
    engine = await PolicyEngineThread.start({
      policyDir,
      directoryFile: join(policyDir, 'directory.json'),
      onThreadExit: (error, restarted) => exits.push({ message: error.message, restarted }),
    });
  });

  afterEach(async () => {
    await engine?.stop();
    rmSync(policyDir, { recursive: true, force: true });
  });

  it('starts it again with the same policy version, and evaluates as before', async () => {
    const before = await engine!.evaluate(request);
    const version = engine!.version;

    await crash(engine!);

    const after = await eventually(() => engine!.evaluate(request));
    expect(after).toEqual(before);
    expect(engine!.version).toBe(version);
    expect(exits).toEqual([{ message: expect.stringMatching(/policy engine thread stopped/), restarted: true }]);
  });

  it('refuses requests at once, rather than leaving them waiting, when the files changed before it could start again', async () => {
    // given a policy change on disk that was never reloaded (so never recorded as an activation)
    appendFileSync(join(policyDir, 'read-only.cedar'), '\n// edited\n');

    // when the thread dies
    await crash(engine!);

    // then it is not started on the unrecorded version, and every request is refused with the reason
    await eventually(async () => {
      if (exits.length === 0) throw new Error('not yet');
    });
    expect(exits).toEqual([{ message: expect.stringMatching(/policy files changed since/), restarted: false }]);
    await expect(engine!.evaluate(request)).rejects.toThrow(/restart the service/);
  });
});

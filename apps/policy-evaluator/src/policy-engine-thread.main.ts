import { parentPort, workerData } from 'node:worker_threads';
import type { ActionRequest } from '@approvals/domain';
import { loadDirectory } from '@approvals/identity';
import { CedarPolicyEngine } from '@approvals/policy-cedar';
import { loadCedarPolicySet } from '@approvals/policy-cedar';
import type { PolicyEngineThreadOptions, PolicyThreadReply, PolicyThreadRequest } from './policy-engine-thread';

// Entry point of the policy engine thread (see PolicyEngineThread).
const { policyDir, directoryFile } = workerData as PolicyEngineThreadOptions;
const post = (reply: PolicyThreadReply) => parentPort?.postMessage(reply);
const describe = (error: unknown) => (error instanceof Error ? error.message : String(error));
const load = () => new CedarPolicyEngine(loadCedarPolicySet(policyDir), { directory: loadDirectory(directoryFile) });

let engine: CedarPolicyEngine | undefined;
try {
  engine = load();
  post({ type: 'ready', version: engine.version, files: [...engine.policySet.files] });
} catch (error) {
  post({ type: 'failed', message: describe(error) });
}

// Messages are handled in order: evaluations sent after a reload see the set it activated.
parentPort?.on('message', (message: PolicyThreadRequest) => {
  if (!engine) return;
  if (message.type === 'reload') {
    // A set that fails to load or validate never replaces the running one.
    try {
      const next = load();
      const from = engine.version;
      engine = next;
      post({ type: 'reloaded', id: message.id, from, to: next.version, files: [...next.policySet.files] });
    } catch (error) {
      post({ type: 'error', id: message.id, message: describe(error) });
    }
    return;
  }
  try {
    post({ type: 'decision', id: message.id, decision: engine.evaluate(message.request as ActionRequest) });
  } catch (error) {
    post({ type: 'error', id: message.id, message: describe(error) });
  }
});

import { parentPort, workerData } from 'node:worker_threads';
import type { ActionRequest } from '@approvals/domain';
import { loadDirectory } from '../directory';
import { CedarPolicyEngine } from './cedar-policy.engine';
import { loadCedarPolicySet } from './cedar-policy-set';
import type { PolicyEngineThreadOptions, PolicyThreadReply } from './policy-engine-thread';

// Entry point of the policy engine thread (see PolicyEngineThread).
const { policyDir, directoryFile } = workerData as PolicyEngineThreadOptions;
const post = (reply: PolicyThreadReply) => parentPort?.postMessage(reply);

let engine: CedarPolicyEngine | undefined;
try {
  engine = new CedarPolicyEngine(loadCedarPolicySet(policyDir), { directory: loadDirectory(directoryFile) });
  post({ type: 'ready', version: engine.version });
} catch (error) {
  post({ type: 'failed', message: error instanceof Error ? error.message : String(error) });
}

parentPort?.on('message', ({ id, request }: { id: number; request: ActionRequest }) => {
  if (!engine) return;
  try {
    post({ type: 'decision', id, decision: engine.evaluate(request) });
  } catch (error) {
    post({ type: 'error', id, message: error instanceof Error ? error.message : String(error) });
  }
});

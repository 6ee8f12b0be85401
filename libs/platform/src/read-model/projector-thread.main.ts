import { parentPort, workerData } from 'node:worker_threads';
import { AuditProjector } from '@approvals/application';
import { openLedger, type LedgerSpec } from '../ledger';
import { openReadModel, type ReadModelSpec } from './open-read-model';
import type { ProjectorThreadMessage } from './projector-thread';

// Entry point of the projector thread (see ProjectorThread).
const { ledger: spec, readModel: readModelSpec, pollIntervalMs } = workerData as { ledger: LedgerSpec; readModel: ReadModelSpec; pollIntervalMs: number };
const post = (message: ProjectorThreadMessage) => parentPort?.postMessage(message);
const describe = (error: unknown) => (error instanceof Error ? error.message : String(error));

async function main(): Promise<void> {
  const ledger = await openLedger(spec, { pollIntervalMs, walAutoCheckpoint: false, onError: (error) => post({ type: 'error', message: `ledger connection: ${describe(error)}` }) });
  const readModel = await openReadModel(readModelSpec, (error) => post({ type: 'error', message: `read model connection: ${describe(error)}` }));
  const projector = new AuditProjector(ledger.events, readModel, {
    onError: (error) => post({ type: 'error', message: `audit projection stopped: ${describe(error)}` }),
  });
  parentPort?.on('message', (message: unknown) => {
    if (message !== 'stop') return;
    void (async () => {
      await projector.stop();
      await readModel.close();
      await ledger.close();
      post({ type: 'stopped' });
    })();
  });
  await projector.start();
}

main().then(
  () => post({ type: 'started' }),
  (error: unknown) => post({ type: 'error', message: `audit projection failed to start: ${describe(error)}` }),
);

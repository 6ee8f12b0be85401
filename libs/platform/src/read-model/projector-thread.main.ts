import { parentPort, workerData } from 'node:worker_threads';
import { AuditProjector } from '@approvals/application';
import { openSqliteLedger } from '../ledger';
import { openSqliteReadModel } from './open-sqlite-read-model';
import type { ProjectorThreadMessage } from './projector-thread';

// Entry point of the projector thread (see ProjectorThread).
const { ledgerFile, readModelFile, pollIntervalMs } = workerData as { ledgerFile: string; readModelFile: string; pollIntervalMs: number };
const post = (message: ProjectorThreadMessage) => parentPort?.postMessage(message);

const ledger = openSqliteLedger({ file: ledgerFile, pollIntervalMs, walAutoCheckpoint: false });
const readModel = openSqliteReadModel({ file: readModelFile, walAutoCheckpoint: false });
const projector = new AuditProjector(ledger.events, readModel, {
  onError: (error) => post({ type: 'error', message: `audit projection stopped: ${error instanceof Error ? error.message : String(error)}` }),
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

projector.start().then(
  () => post({ type: 'started' }),
  (error: unknown) => post({ type: 'error', message: `audit projection failed to start: ${String(error)}` }),
);

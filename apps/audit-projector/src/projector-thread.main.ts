import { parentPort, workerData } from 'node:worker_threads';
import type { Telemetry, TelemetryOptions } from '@approvals/telemetry/start';
import { AuditProjector } from '@approvals/application';
import { traceSubscriptions } from '@approvals/telemetry';
import { openLedger, type LedgerSpec } from '@approvals/ledger';
import { openReadModel, type ReadModelSpec } from '@approvals/read-model';
import type { ProjectorThreadMessage } from './projector-thread';

// Entry point of the projector thread (see ProjectorThread).
const { ledger: spec, readModel: readModelSpec, pollIntervalMs, telemetry: telemetryOptions } = workerData as {
  ledger: LedgerSpec;
  readModel: ReadModelSpec;
  pollIntervalMs: number;
  telemetry: Omit<TelemetryOptions, 'workerThread'> | undefined;
};
let telemetry: Telemetry | undefined;
const post = (message: ProjectorThreadMessage) => parentPort?.postMessage(message);
const describe = (error: unknown) => (error instanceof Error ? error.message : String(error));

async function main(): Promise<void> {
  // The SDK is loaded only when the thread records spans: with tracing off it costs no start-up.
  if (telemetryOptions) telemetry = (await import('@approvals/telemetry/start')).startTelemetry({ ...telemetryOptions, workerThread: true });
  const ledger = await openLedger(spec, { pollIntervalMs, walAutoCheckpoint: false, onError: (error) => post({ type: 'error', message: `ledger connection: ${describe(error)}` }) });
  const readModel = await openReadModel(readModelSpec, (error) => post({ type: 'error', message: `read model connection: ${describe(error)}` }));
  // Each projected event is a span in the trace of the work that recorded it.
  const projector = new AuditProjector(traceSubscriptions(ledger.events, 'audit-projector', 'audit.project'), readModel, {
    onError: (error) => post({ type: 'error', message: `audit projection stopped: ${describe(error)}` }),
    onFinding: (finding) => post({ type: 'finding', finding: { ...finding, position: finding.position?.toString() } }),
  });
  parentPort?.on('message', (message: unknown) => {
    if (message !== 'stop') return;
    void (async () => {
      await projector.stop();
      await readModel.close();
      await ledger.close();
      await telemetry?.shutdown();
      post({ type: 'stopped' });
    })();
  });
  await projector.start();
}

main().then(
  () => post({ type: 'started' }),
  (error: unknown) => post({ type: 'error', message: `audit projection failed to start: ${describe(error)}` }),
);

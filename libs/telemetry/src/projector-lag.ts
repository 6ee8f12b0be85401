import type { EventStore, ReadModelStore } from '@approvals/application';
import { MetricNames, observeGauge } from './approvals-metrics';

/** Ledger events looked at past the checkpoint, per reading of the lag, to find one the projection wants. */
const LAG_PROBE = 100;

/**
 * The projection's lag, read when metrics are collected, cheaply: the ledger positions between the
 * read model's checkpoint and the head (other streams' events among them count too, so it is an
 * upper bound), and how long ago the oldest action event not yet projected happened. Both are 0
 * when no action event waits.
 */
export function observeProjectorLag(ledger: EventStore, readModel: ReadModelStore): void {
  let reading: Promise<{ events: number; seconds: number }> | undefined;
  const read = () =>
    (reading ??= (async () => {
      try {
        const after = await readModel.loadCheckpoint();
        const next = (await ledger.readAll({ after, maxCount: LAG_PROBE })).find((event) => event.streamId.startsWith('action-'));
        if (!next) return { events: 0, seconds: 0 };
        const head = await ledger.headPosition();
        const oldest = Date.parse(next.metadata.occurredAt);
        return { events: Number(head - after), seconds: Number.isFinite(oldest) ? Math.max(0, Date.now() - oldest) / 1000 : 0 };
      } finally {
        reading = undefined;
      }
    })());
  observeGauge(MetricNames.projectorLagEvents, { description: 'Ledger events the audit projection has not applied yet', unit: '{event}' }, async () => (await read()).events);
  observeGauge(MetricNames.projectorLag, { description: 'Age of the oldest ledger event the audit projection has not applied yet', unit: 's' }, async () => (await read()).seconds);
}

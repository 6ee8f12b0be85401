import type { LedgerEventMessage } from '@approvals/contracts';
import { Topics } from '@approvals/contracts';
import { fromActionStreamId, toActionStreamId } from '@approvals/domain';
import type { CheckpointStore, EventStore, RecordedEvent, Subscription } from '../ports/event-store.port';
import type { MessagePublisher } from '../ports/messaging.port';
import { traceFields } from '../trace-context';
import { withDeadline } from '../deadline';

export const outboxCheckpointName = 'decision.outbox-relay';

/** The bus message for one recorded ledger event. */
export function toLedgerEventMessage(event: RecordedEvent): LedgerEventMessage {
  const { traceparent, tracestate, correlationId, causationId } = event.metadata;
  return {
    type: event.type,
    data: event.data as Record<string, unknown>,
    metadata: {
      messageId: event.eventId,
      eventId: event.eventId,
      streamId: event.streamId,
      revision: event.revision,
      position: event.position.toString(),
      occurredAt: event.metadata.occurredAt,
      ...(correlationId ? { correlationId } : {}),
      ...(causationId ? { causationId } : {}),
      ...traceFields({ traceparent, tracestate }),
    },
  };
}

/**
 * Publishes every ledger event to the bus, in ledger order, from a durable checkpoint: the
 * ledger is the outbox. A crash between append and publish only means the event is published
 * after the restart (at least once); consumers are idempotent, so nothing is lost or doubled.
 * Publishing is pipelined (up to `maxInFlight` unacknowledged messages); the checkpoint only
 * ever moves to the end of the acknowledged prefix.
 */
export class OutboxRelay {
  private subscription: Subscription | undefined;
  private readonly inFlight = new Set<Promise<void>>();
  private readonly order: bigint[] = [];
  private readonly acknowledged = new Set<bigint>();
  private acknowledgedUpTo: bigint | undefined;
  private saved: bigint | undefined;
  private saving: Promise<void> | undefined;
  private stopped = false;
  private restarting = false;

  constructor(
    private readonly store: EventStore,
    private readonly checkpoints: CheckpointStore,
    private readonly publisher: MessagePublisher,
    private readonly onError: (error: unknown) => void,
    private readonly maxInFlight = 256,
    private readonly retryDelayMs = 1000,
    /** Checkpoints are written at most this often; a crash republishes at most this window. */
    private readonly checkpointEveryMs = 100,
    /** How long a stop waits for publishes in flight. */
    private readonly stopWaitMs = 5000,
  ) {}

  private checkpointTimer: NodeJS.Timeout | undefined;

  async start(): Promise<void> {
    this.stopped = false;
    // Started again (its replica won the lease back): what was in flight before was settled by stop.
    this.order.length = 0;
    this.acknowledged.clear();
    await this.resume();
  }

  private async resume(): Promise<void> {
    const after = await this.checkpoints.load(outboxCheckpointName);
    if (this.stopped) return;
    this.saved = after;
    this.acknowledgedUpTo = after;
    this.subscription = this.store.subscribeToAll((event) => this.relay(event), {
      after,
      streamPrefix: 'action-',
      onError: (error) => this.restartAfter(error),
    });
  }

  /**
   * Publishes an action's first event of `type` again, outside the checkpointed flow: used when
   * its consumers' reaction never arrived. Consumers are idempotent, so a second copy is harmless.
   */
  async redeliver(actionId: string, type: string): Promise<boolean> {
    const event = (await this.store.readStream(toActionStreamId(actionId))).find((e) => e.type === type);
    if (!event) return false;
    await this.publisher.publish(Topics.ledgerEvents, actionId, toLedgerEventMessage(event));
    return true;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.checkpointTimer) clearTimeout(this.checkpointTimer);
    this.checkpointTimer = undefined;
    await this.subscription?.close();
    this.subscription = undefined;
    // While the bus is away its publishes never end: keep what was acknowledged, the rest goes out again after the restart.
    const inFlight = [...this.inFlight];
    await withDeadline(this.stopWaitMs, () => new Error('publishes still in flight'), () => Promise.allSettled(inFlight)).catch(() => undefined);
    await this.saveCheckpoint();
  }

  private async relay(event: RecordedEvent): Promise<void> {
    while (this.inFlight.size >= this.maxInFlight) await Promise.race(this.inFlight);
    const actionId = fromActionStreamId(event.streamId) ?? event.streamId;
    const position = event.position;
    this.order.push(position);
    const published = this.publisher.publish(Topics.ledgerEvents, actionId, toLedgerEventMessage(event)).then(
      () => this.acknowledge(position),
      (error: unknown) => this.restartAfter(error),
    );
    this.inFlight.add(published);
    void published.finally(() => this.inFlight.delete(published));
  }

  private acknowledge(position: bigint): void {
    this.acknowledged.add(position);
    while (this.order.length > 0 && this.acknowledged.has(this.order[0]!)) {
      const done = this.order.shift()!;
      this.acknowledged.delete(done);
      this.acknowledgedUpTo = done;
    }
    if (!this.checkpointTimer) {
      this.checkpointTimer = setTimeout(() => {
        this.checkpointTimer = undefined;
        void this.saveCheckpoint();
      }, this.checkpointEveryMs);
      this.checkpointTimer.unref();
    }
  }

  /** Saves the acknowledged prefix; concurrent calls coalesce into one write at a time. */
  private async saveCheckpoint(): Promise<void> {
    while (this.saving) await this.saving;
    const target = this.acknowledgedUpTo;
    if (target === undefined || target === this.saved) return;
    this.saving = this.checkpoints.save(outboxCheckpointName, target).then(
      () => {
        this.saved = target;
      },
      (error: unknown) => this.onError(error),
    );
    try {
      await this.saving;
    } finally {
      this.saving = undefined;
    }
  }

  /** A failed publish: stop, and start again from the last checkpoint after a pause. */
  private restartAfter(error: unknown): void {
    this.onError(error);
    // In an outage every in-flight publish fails: one restart covers them all (more would leak subscriptions).
    if (this.stopped || this.restarting) return;
    this.restarting = true;
    const subscription = this.subscription;
    this.subscription = undefined;
    void (async () => {
      try {
        await subscription?.close();
        await Promise.allSettled([...this.inFlight]);
        this.order.length = 0;
        this.acknowledged.clear();
        // Until it starts again: its checkpoint may be unreadable for a while too (the store's outage).
        for (let delay = this.retryDelayMs; !this.stopped && !this.subscription; delay = Math.min(delay * 2, 30_000)) {
          await new Promise((resolve) => setTimeout(resolve, delay));
          if (this.stopped || this.subscription) break;
          try {
            await this.resume();
          } catch (startError) {
            this.onError(startError);
          }
        }
      } finally {
        this.restarting = false;
      }
    })().catch(this.onError);
  }
}

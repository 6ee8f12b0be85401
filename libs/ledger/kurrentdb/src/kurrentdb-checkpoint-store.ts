import { BACKWARDS, END, ErrorType, jsonEvent, StreamNotFoundError } from '@kurrent/kurrentdb-client';
import type { CheckpointStore } from '@approvals/application';
import type { KurrentDbConnection } from './kurrentdb-connection';
import { parseCheckpoint } from './kurrentdb-mapping';

/** Prefix of the stream that holds one named checkpoint. */
export const CHECKPOINT_STREAM_PREFIX = '$approvals-checkpoint-';
const CHECKPOINT_EVENT_TYPE = 'CheckpointSaved';

/**
 * Named subscriber checkpoints in the same KurrentDB: one `$`-stream per name (hidden from the
 * ledger's reads of `$all`), whose last event is the checkpoint. The stream's metadata keeps
 * only that last event (maxCount 1), so a scavenge drops the old ones.
 */
export class KurrentDbCheckpointStore implements CheckpointStore {
  /** Names whose stream metadata this process has set already. */
  private readonly limited = new Set<string>();

  constructor(private readonly connection: KurrentDbConnection) {}

  async load(name: string): Promise<bigint | undefined> {
    validateName(name);
    const stream = checkpointStream(name);
    return this.connection.call(`load checkpoint ${name}`, async (client) => {
      try {
        for await (const resolved of client.readStream(stream, { direction: BACKWARDS, fromRevision: END, maxCount: 1 })) {
          return parseCheckpoint(name, resolved.event?.data);
        }
      } catch (error) {
        if (error instanceof StreamNotFoundError || (error as { type?: unknown }).type === ErrorType.STREAM_NOT_FOUND) return undefined;
        throw error;
      }
      return undefined;
    });
  }

  async save(name: string, position: bigint): Promise<void> {
    validateName(name);
    if (typeof position !== 'bigint' || position < 0n) throw new TypeError(`checkpoint ${name}: position must be a non-negative bigint`);
    const stream = checkpointStream(name);
    await this.connection.call(`save checkpoint ${name}`, async (client) => {
      if (!this.limited.has(name)) {
        await client.setStreamMetadata(stream, { maxCount: 1 });
        this.limited.add(name);
      }
      await client.appendToStream(stream, jsonEvent({ type: CHECKPOINT_EVENT_TYPE, data: { position: position.toString() } }));
    });
  }
}

/** The stream of one named checkpoint. */
export function checkpointStream(name: string): string {
  return `${CHECKPOINT_STREAM_PREFIX}${name}`;
}

function validateName(name: string): void {
  if (typeof name !== 'string' || name.length === 0) throw new TypeError('checkpoint name must be a non-empty string');
}

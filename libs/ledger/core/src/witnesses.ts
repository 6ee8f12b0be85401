import { closeSync, existsSync, fstatSync, openSync, readFileSync, readSync } from 'node:fs';
import { mkdir, open } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { CheckpointHandover, Hash, NoteVerifier, Witness } from '@approvals/application';
import { CheckpointFormatError, WitnessRefusedError, openCheckpoint, verifyConsistency } from '@approvals/application';
import { Webhook } from 'standardwebhooks';

/** One line of a witness file. */
interface WitnessRecord {
  size: number;
  rootHash: string;
  note: string;
  /** The size the consistency proof started from, and the proof (base64), as handed over. */
  from?: number | undefined;
  consistency: string[];
  witnessedAt: string;
}

/**
 * A witness that is an append-only file outside the database (JSON Lines, one checkpoint per line,
 * fsynced). It accepts a checkpoint only when the signature verifies with the log's keys and the
 * consistency proof shows that it extends the last checkpoint in the file, so the file is a
 * history the database cannot take back: after a restore of an old backup or a rewrite, the next
 * checkpoint is refused and the start-up check reports the ledger as behind or different.
 */
export class FileWitness implements Witness {
  readonly name: string;

  constructor(
    private readonly file: string,
    private readonly verifiers: () => NoteVerifier[],
    private readonly now: () => Date = () => new Date(),
  ) {
    this.name = `file:${file}`;
  }

  async latest(): Promise<{ size: number; rootHash: Hash } | undefined> {
    const record = this.lastRecord();
    return record && { size: record.size, rootHash: Buffer.from(record.rootHash, 'base64') };
  }

  async witness(handover: CheckpointHandover): Promise<void> {
    const { checkpoint } = handover;
    let opened;
    try {
      opened = openCheckpoint(checkpoint.note, this.verifiers());
    } catch (error) {
      if (error instanceof CheckpointFormatError) throw new WitnessRefusedError(`the checkpoint's note does not verify: ${error.message}`);
      throw error;
    }
    if (opened.checkpoint.size !== checkpoint.size || !opened.checkpoint.rootHash.equals(checkpoint.rootHash)) {
      throw new WitnessRefusedError('the signed note is not of this checkpoint');
    }
    const last = await this.latest();
    if (last) {
      if (checkpoint.size < last.size) throw new WitnessRefusedError(`it has ${checkpoint.size} events, fewer than the ${last.size} already witnessed`);
      if (handover.previous?.size !== last.size || !handover.previous.rootHash.equals(last.rootHash)) {
        if (checkpoint.size === last.size && checkpoint.rootHash.equals(last.rootHash)) return; // already witnessed
        throw new WitnessRefusedError(`its proof does not start from the last checkpoint witnessed (${last.size} events)`);
      }
      if (!verifyConsistency(last.size, checkpoint.size, last.rootHash, checkpoint.rootHash, handover.consistency)) {
        throw new WitnessRefusedError(`it does not extend the checkpoint of ${last.size} events witnessed before: the log was rewritten or rolled back`);
      }
      if (checkpoint.size === last.size) return;
    }
    const record: WitnessRecord = {
      size: checkpoint.size,
      rootHash: checkpoint.rootHash.toString('base64'),
      note: checkpoint.note,
      ...(handover.previous ? { from: handover.previous.size } : {}),
      consistency: handover.consistency.map((hash) => hash.toString('base64')),
      witnessedAt: this.now().toISOString(),
    };
    // Written and synced off the event loop: an fsync takes milliseconds that requests should not wait for.
    await mkdir(dirname(this.file), { recursive: true });
    const handle = await open(this.file, 'a', 0o644);
    try {
      await handle.appendFile(`${JSON.stringify(record)}\n`);
      await handle.sync();
    } finally {
      await handle.close();
    }
  }

  private lastRecord(): WitnessRecord | undefined {
    if (!existsSync(this.file)) return undefined;
    const line = lastLine(this.file);
    if (line === undefined) return undefined;
    try {
      return JSON.parse(line) as WitnessRecord;
    } catch (error) {
      throw new Error(`the witness file ${this.file} ends with a line that is not JSON (${(error as Error).message}); repair it or move it aside`);
    }
  }
}

/** Every checkpoint a witness file holds, for `approvals audit verify --witness`. */
export function readWitnessFile(file: string): { size: number; rootHash: Buffer; source: string }[] {
  const lines = readFileSync(file, 'utf8').split('\n').filter((line) => line.trim() !== '');
  return lines.map((line, index) => {
    try {
      const record = JSON.parse(line) as WitnessRecord;
      if (!Number.isSafeInteger(record.size) || typeof record.rootHash !== 'string') throw new Error('it lacks size or rootHash');
      return { size: record.size, rootHash: Buffer.from(record.rootHash, 'base64'), source: `${file} line ${index + 1}` };
    } catch (error) {
      throw new Error(`${file} line ${index + 1} is not a witnessed checkpoint: ${(error as Error).message}`);
    }
  });
}

/** The last non-empty line of a file, read from its end (the file grows for as long as the log lives). */
function lastLine(file: string): string | undefined {
  const fd = openSync(file, 'r');
  try {
    const size = fstatSync(fd).size;
    let tail = '';
    for (let end = size; end > 0; ) {
      const start = Math.max(0, end - 65_536);
      const chunk = Buffer.alloc(end - start);
      readSync(fd, chunk, 0, chunk.length, start);
      tail = chunk.toString('utf8') + tail;
      const trimmed = tail.trimEnd();
      const newline = trimmed.lastIndexOf('\n');
      if (newline >= 0 || start === 0) return trimmed === '' ? undefined : trimmed.slice(newline + 1);
      end = start;
    }
    return undefined;
  } finally {
    closeSync(fd);
  }
}

/**
 * A witness reached by HTTPS: each checkpoint is POSTed as a Standard Webhooks message (the same
 * signing as the approval webhooks), `type: "ledger.checkpoint"`, with the note and the consistency
 * proof from the previous checkpoint, for a receiver to verify and keep. The receiver's 2xx is its
 * acceptance; a 409 is a refusal (the checkpoint does not extend what it holds).
 */
export class WebhookWitness implements Witness {
  readonly name: string;
  private readonly signer: Webhook;

  constructor(
    private readonly url: string,
    secret: string,
    private readonly origin: string,
    private readonly now: () => Date = () => new Date(),
  ) {
    this.name = `webhook:${new URL(url).host}`;
    this.signer = new Webhook(secret);
  }

  /** The receiver's history is its own: proofs start from the previously recorded checkpoint. */
  async latest(): Promise<undefined> {
    return undefined;
  }

  async witness(handover: CheckpointHandover): Promise<void> {
    const now = this.now();
    const id = `msg_checkpoint_${handover.checkpoint.size}`;
    const body = JSON.stringify({
      type: 'ledger.checkpoint',
      timestamp: now.toISOString(),
      data: {
        origin: this.origin,
        size: handover.checkpoint.size,
        rootHash: handover.checkpoint.rootHash.toString('base64'),
        note: handover.checkpoint.note,
        previous: handover.previous ? { size: handover.previous.size, rootHash: handover.previous.rootHash.toString('base64') } : null,
        consistency: handover.consistency.map((hash) => hash.toString('base64')),
      },
    });
    const response = await fetch(this.url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'webhook-id': id,
        'webhook-timestamp': String(Math.floor(now.getTime() / 1000)),
        'webhook-signature': this.signer.sign(id, now, body),
      },
      body,
      signal: AbortSignal.timeout(10_000),
    });
    if (response.status === 409) throw new WitnessRefusedError(`${this.name} answered 409: ${(await response.text()).slice(0, 300)}`);
    if (!response.ok) throw new Error(`${this.name} answered ${response.status}`);
  }
}

import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { Webhook } from 'standardwebhooks';
import type { NewEvent } from '@approvals/application';
import { openCheckpoint, verifyConsistency } from '@approvals/application';
import { CheckpointKeyRing } from '@approvals/keys';
import { catchUpLedgerLog, checkpointOnce } from './audit-ledger';
import type { Ledger } from './open-ledger';
import { openLedger } from './open-ledger';
import { WebhookWitness } from '@approvals/ledger-core';

interface Received {
  type: string;
  data: { origin: string; size: number; rootHash: string; note: string; previous: { size: number; rootHash: string } | null; consistency: string[] };
}

// A witness on the other end of a webhook, written as its operator would from docs/audit.md: it
// checks the Standard Webhooks signature, the note with the published key and the consistency
// proof from the last checkpoint it kept, and answers 409 to one that does not extend it.
describe('the webhook witness', () => {
  const secret = `whsec_${randomBytes(24).toString('base64')}`;
  let server: Server;
  let url: string;
  let dir: string;
  let ledger: Ledger;
  let keys: CheckpointKeyRing;
  const kept: { size: number; rootHash: Buffer }[] = [];
  const answers: number[] = [];

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'approvals-witness-webhook-'));
    keys = await CheckpointKeyRing.open({ keyFile: join(dir, 'keys.json'), generateIfMissing: true, origin: 'approvals.test/ledger' });
    const verifier = new Webhook(secret);
    server = createServer((request, response) => {
      let body = '';
      request.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
      request.on('end', () => {
        const answer = (status: number) => (answers.push(status), response.writeHead(status).end());
        try {
          verifier.verify(body, Object.fromEntries(Object.entries(request.headers).map(([k, v]) => [k, String(v)])));
        } catch {
          return answer(401);
        }
        const { data } = JSON.parse(body) as Received;
        const opened = openCheckpoint(data.note, keys.verifiers()).checkpoint;
        const last = kept.at(-1);
        const proof = data.consistency.map((hash) => Buffer.from(hash, 'base64'));
        if (last && !(data.previous?.size === last.size && verifyConsistency(last.size, opened.size, last.rootHash, opened.rootHash, proof))) return answer(409);
        kept.push({ size: opened.size, rootHash: opened.rootHash });
        answer(204);
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/checkpoints`;
    ledger = await openLedger({ store: 'embedded', file: join(dir, 'ledger.sqlite') });
  });

  afterAll(async () => {
    await ledger.close();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    rmSync(dir, { recursive: true, force: true });
  });

  const append = async (count: number) => {
    for (let i = 0; i < count; i += 1) {
      const event: NewEvent = { eventId: `e-${randomBytes(6).toString('hex')}`, type: 'Noted', data: { i }, metadata: {} };
      await ledger.events.appendToStream(`action-${i % 3}`, [event]);
    }
    await catchUpLedgerLog(ledger);
  };

  it('receives each checkpoint signed, with the proof that it extends the one before, which a receiver can check', async () => {
    const witness = new WebhookWitness(url, secret, keys.origin);
    await append(12);
    await checkpointOnce(ledger, keys, [witness]);
    await append(30);
    await checkpointOnce(ledger, keys, [witness]);

    expect(answers).toEqual([204, 204]);
    expect(kept.map((c) => c.size)).toEqual([12, 42]);
  });

  it("reports a receiver's refusal as a finding about the whole ledger", async () => {
    kept.push({ size: 43, rootHash: Buffer.alloc(32, 9) }); // the receiver holds a history this ledger does not extend
    await append(5);
    await expect(checkpointOnce(ledger, keys, [new WebhookWitness(url, secret, keys.origin)])).rejects.toThrow(/CHECKPOINT_MISMATCH: witness webhook:127\.0\.0\.1:\d+ refused the checkpoint at 47 events/);
    expect(answers.at(-1)).toBe(409);
  });
});

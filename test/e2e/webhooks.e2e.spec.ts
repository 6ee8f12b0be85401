import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { type Server, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Webhook } from 'standardwebhooks';
import type { ApprovalsClient } from '@approvals/client';
import { unary } from '@approvals/client';
import type { TestSystem } from '@approvals/testing';
import { modes, startSystem } from '@approvals/testing';
import { actionRequest, awaitOutcome, clientAs, eventually, ledgerPosition } from './support';

jest.setTimeout(60_000);

// Signed webhooks (Standard Webhooks), in both modes: privilege escalations go to webhook:siem
// (demo policy); a receiver here verifies each delivery with the official library, exactly as a
// real receiver would, and votes come back signed with the same secret.
describe.each(modes)('%s mode: signed webhooks', (mode) => {
  const secret = `whsec_${randomBytes(24).toString('base64')}`;
  const received: { headers: Record<string, string>; body: string; verified: boolean; payload: { type: string; data: { actionId: string; outcome?: string; parameters?: unknown; requestHash?: string } } }[] = [];
  let receiver: Server;
  let dir: string;
  let server: TestSystem;
  let ops: ApprovalsClient;

  beforeAll(async () => {
    const verifier = new Webhook(secret);
    receiver = createServer((request, response) => {
      let body = '';
      request.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
      request.on('end', () => {
        const headers = Object.fromEntries(Object.entries(request.headers).map(([k, v]) => [k, String(v)]));
        let verified = true;
        try {
          verifier.verify(body, headers);
        } catch {
          verified = false;
        }
        received.push({ headers, body, verified, payload: JSON.parse(body) });
        response.writeHead(verified ? 204 : 401).end();
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    dir = mkdtempSync(join(tmpdir(), 'approvals-webhooks-'));
    writeFileSync(join(dir, 'webhooks.json'), JSON.stringify({ webhooks: [{ name: 'siem', url: `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hooks`, secret }] }));
    server = await startSystem(mode, { env: { APPROVALS_WEBHOOKS_FILE: join(dir, 'webhooks.json'), APPROVALS_DELIVERY_RETRY_MS: '200' } });
    ops = clientAs(server.addresses, 'agent-ops');
  });

  afterAll(async () => {
    ops?.close();
    await server?.dispose();
    await new Promise<void>((resolve) => receiver.close(() => resolve()));
    rmSync(dir, { recursive: true, force: true });
  });

  const vote = (body: Record<string, unknown>, options: { secret?: string; id?: string; at?: Date } = {}) => {
    const text = JSON.stringify(body);
    const id = options.id ?? `msg_${randomBytes(8).toString('hex')}`;
    const at = options.at ?? new Date();
    const headers = {
      'content-type': 'application/json',
      'webhook-id': id,
      'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
      'webhook-signature': new Webhook(options.secret ?? secret).sign(id, at, text),
    };
    return { send: () => fetch(`${server.notifierHttpUrl}/webhooks/siem/votes`, { method: 'POST', headers, body: text }) };
  };

  it('delivers the request signed, takes signed votes back, and reports the outcome', async () => {
    const created = await unary(ops.intake, 'RequestAction', actionRequest({ action: 'iam.escalate', resource: { kind: 'role', id: 'admin' } }));
    await awaitOutcome(ops, created.actionId, 200);
    const delivery = await eventually(async () => received.find((r) => r.payload.data.actionId === created.actionId), (r) => r !== undefined);
    expect(delivery).toMatchObject({ verified: true, payload: { type: 'approval.requested', data: { actionId: created.actionId } } });
    expect(delivery!.headers['webhook-signature']).toMatch(/^v1,/);
    // The parameters exactly as the request hash (and so the grant) covers them (I5).
    const view = await unary(ops.intake, 'GetAction', { actionId: created.actionId });
    expect(delivery!.payload.data).toMatchObject({ parameters: { hidden: false, canonicalJson: view.parametersJson }, requestHash: view.requestHash });

    for (const approver of ['carol', 'erin']) {
      const response = await vote({ actionId: created.actionId, approver, decision: 'APPROVE' }).send();
      expect(response.status).toBe(200);
    }
    expect((await awaitOutcome(ops, created.actionId)).action).toMatchObject({ status: 'APPROVED', approval: { votes: [{ channel: 'webhook:siem' }, { channel: 'webhook:siem' }] } });
    const decided = await eventually(async () => received.find((r) => r.payload.type === 'approval.decided' && r.payload.data.actionId === created.actionId), (r) => r !== undefined);
    expect(decided).toMatchObject({ verified: true, payload: { data: { outcome: 'Approved by carol, erin' } } });
    expect(received.every((r) => r.verified)).toBe(true);
  });

  it('refuses a vote with a bad signature, an old timestamp or a replayed id, and records each; judges the approver like any vote', async () => {
    const created = await unary(ops.intake, 'RequestAction', actionRequest({ action: 'iam.escalate', resource: { kind: 'role', id: 'auditor' } }));
    await awaitOutcome(ops, created.actionId, 200);
    const before = await ledgerPosition(server.decisionHttpUrl);
    const body = { actionId: created.actionId, approver: 'carol', decision: 'APPROVE' };
    expect((await vote(body, { secret: `whsec_${randomBytes(24).toString('base64')}` }).send()).status).toBe(401);
    expect((await vote(body, { at: new Date(Date.now() - 10 * 60_000) }).send()).status).toBe(401);
    expect(await ledgerPosition(server.decisionHttpUrl)).toBe(before + 2n);

    const once = vote(body, { id: 'msg_fixed_0001' });
    expect((await once.send()).status).toBe(200);
    const afterVote = await ledgerPosition(server.decisionHttpUrl);
    expect((await once.send()).status).toBe(401);
    expect(await ledgerPosition(server.decisionHttpUrl)).toBe(afterVote + 1n);

    // dave owns agent-ops: his vote through the webhook is refused and recorded like anywhere else.
    const self = await (await vote({ actionId: created.actionId, approver: 'dave', decision: 'APPROVE' }).send()).json();
    expect(self).toMatchObject({ accepted: false, rejectionReason: 'SELF_APPROVAL' });
    const unknown = await vote({ actionId: created.actionId, approver: 'mallory', decision: 'APPROVE' }).send();
    expect(unknown.status).toBe(403);
    const surrogate = await vote({ actionId: created.actionId, approver: 'erin', decision: 'DENY', comment: 'no \ud800' }).send();
    expect(surrogate.status).toBe(400);
    expect(((await surrogate.json()) as { detail: string }).detail).toContain('comment: must be valid Unicode');
    const malformed = await vote({ actionId: 'nope', approver: 'carol', decision: 'MAYBE' }).send();
    expect(malformed.status).toBe(400);
    expect(((await malformed.json()) as { detail: string }).detail).toContain('actionId');
    expect((await unary(ops.intake, 'GetAction', { actionId: created.actionId })).approval?.votes.map((v) => v.approverId)).toEqual(['carol']);
  });
});

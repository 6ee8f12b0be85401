import type { ApprovalsClient } from '@approvals/client';
import { collect, createApprovalsClient, serverStream, unary } from '@approvals/client';
import type { TestSystem } from '@approvals/testing';
import { modes, startSystem } from '@approvals/testing';
import type { Client } from '@grpc/grpc-js';
import { loadApprovalsPackage } from '@approvals/client';
import { actionRequest, awaitOutcome, clientAs, eventually, failure } from './support';

jest.setTimeout(60_000);

const unknownId = '00000000-0000-4000-8000-000000000000';

function nested(depth: number): string {
  let json = '1';
  for (let i = 0; i < depth; i += 1) json = `{"a":${json}}`;
  return json;
}

/** A request encoded as the client would send it. */
function serializeRequest(service: 'IntakeService' | 'DecisionService', method: string, request: object): Buffer {
  const definition = loadApprovalsPackage()[service].service as unknown as Record<string, { requestSerialize(value: object): Buffer }>;
  return definition[method]!.requestSerialize(request);
}

/** `bytes` with the one occurrence of `placeholder` replaced by `replacement` of the same length. */
function withBytes(bytes: Buffer, placeholder: string, replacement: Buffer): Buffer {
  const at = bytes.indexOf(placeholder);
  expect(at).toBeGreaterThanOrEqual(0);
  return Buffer.concat([bytes.subarray(0, at), replacement, bytes.subarray(at + replacement.length)]);
}

/** A unary call with a request sent exactly as `bytes`, through the client's channel and credentials. */
function rawUnary(client: Client, path: string, bytes: Buffer): Promise<unknown> {
  return new Promise((resolve, reject) => {
    client.makeUnaryRequest(path, (b: Buffer) => b, (b: Buffer) => b, bytes, (error, value) => (error ? reject(error) : resolve(value)));
  });
}

// SPEC section 8: every malformed, oversized, unauthenticated or unauthorised call gets a precise
// status and changes nothing in the ledger. One system per mode, one scenario per kind of bad
// input; in distributed mode each call reaches the service (process) that owns it.
describe.each(modes)('bad input end to end (%s mode)', (mode) => {
  let server: TestSystem;
  let agent: ApprovalsClient;
  let otherAgent: ApprovalsClient;
  let alice: ApprovalsClient;
  let anonymous: ApprovalsClient;
  let existingId: string;
  let countBefore: number;
  let timelineBefore: unknown;

  beforeAll(async () => {
    server = await startSystem(mode);
    agent = clientAs(server.addresses, 'agent-reporting');
    otherAgent = clientAs(server.addresses, 'agent-ops');
    alice = clientAs(server.addresses, 'alice');
    anonymous = createApprovalsClient({ address: server.addresses });

    const created = await unary(agent.intake, 'RequestAction', actionRequest({ action: 'db.read' }));
    existingId = created.actionId;
    expect((await awaitOutcome(agent, existingId)).decided).toBe(true);
    const timeline = await eventually(
      () => unary(alice.audit, 'GetTimeline', { actionId: existingId }),
      (t) => t.entries.length >= 4,
    );
    timelineBefore = timeline;
    countBefore = (await unary(alice.audit, 'SearchActions', { limit: 500 })).items.length;
  });

  afterAll(async () => {
    for (const client of [agent, otherAgent, alice, anonymous]) client?.close();
    await server?.dispose();
  });

  describe('WatchAction', () => {
    it('answers NOT_FOUND for an unknown action', async () => {
      const result = await failure(collect(serverStream(agent.intake, 'WatchAction', { actionId: unknownId })));
      expect(result.status).toBe('NOT_FOUND');
    });

    it("answers NOT_FOUND for another agent's action", async () => {
      const result = await failure(collect(serverStream(otherAgent.intake, 'WatchAction', { actionId: existingId })));
      expect(result.status).toBe('NOT_FOUND');
    });

    it('answers INVALID_ARGUMENT for a malformed id', async () => {
      const result = await failure(collect(serverStream(agent.intake, 'WatchAction', { actionId: 'not-an-id' })));
      expect(result).toMatchObject({ status: 'INVALID_ARGUMENT', violations: [{ field: 'action_id' }] });
    });

    it('answers UNAUTHENTICATED without an API key', async () => {
      const result = await failure(collect(serverStream(anonymous.intake, 'WatchAction', { actionId: existingId })));
      expect(result.status).toBe('UNAUTHENTICATED');
    });
  });

  describe('CastVote', () => {
    it('answers INVALID_ARGUMENT for a malformed id', async () => {
      const result = await failure(unary(alice.decisions, 'CastVote', { actionId: 'not-an-id', decision: 'APPROVE' }));
      expect(result).toMatchObject({ status: 'INVALID_ARGUMENT', violations: [{ field: 'action_id' }] });
    });

    it('answers INVALID_ARGUMENT for a 100 KB id, with a short trailer, and the channel keeps working', async () => {
      const result = await failure(unary(alice.decisions, 'CastVote', { actionId: 'x'.repeat(100_000), decision: 'APPROVE' }));
      expect(result.status).toBe('INVALID_ARGUMENT');
      expect(result.details.length).toBeLessThanOrEqual(1100);
      const next = await failure(unary(alice.decisions, 'CastVote', { actionId: unknownId, decision: 'APPROVE' }));
      expect(next.status).toBe('NOT_FOUND');
    });

    it('answers INVALID_ARGUMENT for a denial without a comment', async () => {
      const result = await failure(unary(alice.decisions, 'CastVote', { actionId: existingId, decision: 'DENY' }));
      expect(result).toMatchObject({ status: 'INVALID_ARGUMENT', violations: [{ field: 'comment' }] });
    });

    it('answers PERMISSION_DENIED to an agent', async () => {
      const result = await failure(unary(otherAgent.decisions, 'CastVote', { actionId: existingId, decision: 'APPROVE' }));
      expect(result.status).toBe('PERMISSION_DENIED');
      expect(result.details).toContain('agent-ops');
    });

    it('answers NOT_FOUND for a well-formed unknown id', async () => {
      const result = await failure(unary(alice.decisions, 'CastVote', { actionId: unknownId, decision: 'APPROVE' }));
      expect(result.status).toBe('NOT_FOUND');
    });
  });

  describe('GetTimeline', () => {
    it('answers INVALID_ARGUMENT for a malformed id', async () => {
      const result = await failure(unary(alice.audit, 'GetTimeline', { actionId: 'x'.repeat(100_000) }));
      expect(result).toMatchObject({ status: 'INVALID_ARGUMENT', violations: [{ field: 'action_id' }] });
    });

    it('answers NOT_FOUND for an unknown id', async () => {
      const result = await failure(unary(alice.audit, 'GetTimeline', { actionId: unknownId }));
      expect(result.status).toBe('NOT_FOUND');
    });
  });

  describe('SearchActions', () => {
    it('answers INVALID_ARGUMENT for a limit over 500', async () => {
      const result = await failure(unary(alice.audit, 'SearchActions', { limit: 501 }));
      expect(result.status).toBe('INVALID_ARGUMENT');
      expect(result.details).toContain('limit');
    });

    it('answers INVALID_ARGUMENT for a malformed page token', async () => {
      const result = await failure(unary(alice.audit, 'SearchActions', { pageToken: 'not a token!' }));
      expect(result.status).toBe('INVALID_ARGUMENT');
      expect(result.details).toContain('page_token');
    });

    it('answers INVALID_ARGUMENT for a requested_after that is not ISO 8601', async () => {
      const result = await failure(unary(alice.audit, 'SearchActions', { requestedAfter: 'yesterday' }));
      expect(result.status).toBe('INVALID_ARGUMENT');
      expect(result.details).toContain('requested_after');
    });

    it('answers INVALID_ARGUMENT with a short message for an oversized filter', async () => {
      const result = await failure(unary(alice.audit, 'SearchActions', { requestedAfter: 'y'.repeat(100_000) }));
      expect(result.status).toBe('INVALID_ARGUMENT');
      expect(result.details.length).toBeLessThanOrEqual(1100);
    });
  });

  describe('GetPolicyHistory', () => {
    it('answers UNAUTHENTICATED without an API key', async () => {
      const result = await failure(unary(anonymous.audit, 'GetPolicyHistory', { version: '', includeFiles: true }));
      expect(result.status).toBe('UNAUTHENTICATED');
    });

    it('answers INVALID_ARGUMENT for an oversized version', async () => {
      const result = await failure(unary(alice.audit, 'GetPolicyHistory', { version: 'v'.repeat(100_000) }));
      expect(result).toMatchObject({ status: 'INVALID_ARGUMENT', violations: [{ field: 'version' }] });
    });

    it('answers an unknown version with no activations', async () => {
      expect(await unary(alice.audit, 'GetPolicyHistory', { version: 'sha256:0000000000000000', includeFiles: true })).toEqual({ activations: [] });
    });
  });

  describe('RequestAction parameters', () => {
    it('refuses a number that is not finite', async () => {
      const result = await failure(unary(agent.intake, 'RequestAction', actionRequest({ parametersJson: '{"a":1e999}' })));
      expect(result).toMatchObject({ status: 'INVALID_ARGUMENT', violations: [{ field: 'parameters_json' }] });
    });

    it('refuses nesting 100 levels deep', async () => {
      const result = await failure(unary(agent.intake, 'RequestAction', actionRequest({ parametersJson: nested(100) })));
      expect(result).toMatchObject({ status: 'INVALID_ARGUMENT', violations: [{ field: 'parameters_json' }] });
    });

    it('refuses a __proto__ member rather than dropping it from what approvers see', async () => {
      const parametersJson = '{"rows":5000,"__proto__":{"destination":"s3://elsewhere"}}';
      const result = await failure(unary(agent.intake, 'RequestAction', actionRequest({ action: 'db.export', parametersJson })));
      expect(result).toMatchObject({
        status: 'INVALID_ARGUMENT',
        violations: [{ field: 'parameters_json', description: expect.stringContaining('"__proto__" at $.__proto__') }],
      });
    });

    it('refuses a lone surrogate, a duplicate name and a number a double cannot hold', async () => {
      for (const [parametersJson, problem] of [
        ['{"note":"\\ud800"}', 'lone surrogate (U+D800)'],
        ['{"rows":1,"rows":2}', 'twice'],
        ['{"id":12345678901234567890}', 'more precision than a 64-bit float holds'],
      ] as const) {
        const result = await failure(unary(agent.intake, 'RequestAction', actionRequest({ parametersJson })));
        expect(result).toMatchObject({ status: 'INVALID_ARGUMENT', violations: [{ field: 'parameters_json', description: expect.stringContaining(problem) }] });
      }
    });
  });

  describe('text that is not UTF-8', () => {
    // Protobuf decoders replace invalid bytes with U+FFFD; the server must refuse them instead.
    const invalidBytes = Buffer.from([0xff, 0xfe, 0xc0, 0x80]);

    it.each([
      ['justification', { justification: 'XXXX' }],
      ['resource.id', { resource: { kind: 'dataset', id: 'XXXX' } }],
      ['idempotency_key', { idempotencyKey: 'XXXX' }],
    ] as const)('RequestAction with invalid bytes in %s: INVALID_ARGUMENT naming the field', async (field, overrides) => {
      const bytes = withBytes(serializeRequest('IntakeService', 'RequestAction', actionRequest(overrides)), 'XXXX', invalidBytes);
      const result = await failure(rawUnary(agent.intake, '/approvals.v1.IntakeService/RequestAction', bytes));
      expect(result).toMatchObject({ status: 'INVALID_ARGUMENT', violations: [{ field, description: expect.stringContaining('not valid UTF-8') }] });
    });

    it('CastVote with invalid bytes in the comment: INVALID_ARGUMENT naming the field', async () => {
      const bytes = withBytes(serializeRequest('DecisionService', 'CastVote', { actionId: existingId, decision: 'DENY', comment: 'no: XXXX' }), 'XXXX', invalidBytes);
      const result = await failure(rawUnary(alice.decisions, '/approvals.v1.DecisionService/CastVote', bytes));
      expect(result).toMatchObject({ status: 'INVALID_ARGUMENT', violations: [{ field: 'comment' }] });
    });

    it('accepts the replacement character itself, sent as valid UTF-8', async () => {
      const created = await unary(agent.intake, 'RequestAction', actionRequest({ action: 'db.read', justification: 'odd \ufffd text' }));
      countBefore += 1;
      expect(created.actionId).toMatch(/^[0-9a-f-]{36}$/);
    });
  });

  it('names an unknown on_behalf_of with non-ASCII characters in a readable trailer', async () => {
    const result = await failure(unary(agent.intake, 'RequestAction', actionRequest({ onBehalfOf: 'müller' })));
    expect(result).toMatchObject({ status: 'INVALID_ARGUMENT', violations: [{ field: 'on_behalf_of', description: expect.stringContaining('müller') }] });
  });

  it('changed nothing in the ledger', async () => {
    // The projector follows the ledger in global order: once a new action is visible, anything
    // the bad calls had appended before it would be visible too.
    const sentinel = await unary(agent.intake, 'RequestAction', actionRequest({ action: 'db.read' }));
    const after = await eventually(
      () => unary(alice.audit, 'SearchActions', { limit: 500 }),
      (r) => r.items.some((i) => i.actionId === sentinel.actionId),
    );
    expect(after.items.length).toBe(countBefore + 1);
    expect(await unary(alice.audit, 'GetTimeline', { actionId: existingId })).toEqual(timelineBefore);
  });
});

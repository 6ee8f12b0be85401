import { status } from '@grpc/grpc-js';
import type { RpcException } from '@nestjs/microservices';
import { checkRequest, requestRules } from '@approvals/application';
import { requireActionId, validRequest } from './grpc-input';

const id = '3f2b8c1e-9a4d-4e6f-8b7a-1c2d3e4f5a6b';

function thrown(run: () => unknown): { code: number; details: string; violations: unknown } {
  try {
    run();
  } catch (error) {
    const status = (error as RpcException).getError() as { code: number; details: string; metadata: { get(key: string): unknown[] } };
    const raw = status.metadata.get('x-field-violations')[0];
    return { code: status.code, details: status.details, violations: typeof raw === 'string' ? JSON.parse(raw) : undefined };
  }
  throw new Error('expected an error');
}

describe('requireActionId', () => {
  it('returns a well-formed id, trimmed', () => {
    expect(requireActionId(` ${id} `)).toBe(id);
  });

  it('answers INVALID_ARGUMENT "is required" for a missing id', () => {
    for (const missing of [undefined, '', '   ']) {
      expect(thrown(() => requireActionId(missing))).toEqual({
        code: status.INVALID_ARGUMENT,
        details: 'action_id: is required',
        violations: [{ field: 'action_id', description: 'is required' }],
      });
    }
  });

  it.each(['not-an-id', id.toUpperCase(), `${id}0`, 'x'.repeat(100_000)])('answers INVALID_ARGUMENT without echoing %#', (bad) => {
    const error = thrown(() => requireActionId(bad));

    expect(error).toEqual({
      code: status.INVALID_ARGUMENT,
      details: 'action_id: must be an action id (a lower-case UUID)',
      violations: [{ field: 'action_id', description: 'must be an action id (a lower-case UUID)' }],
    });
  });
});

describe('validRequest', () => {
  it('returns the checked, normalised fields of a well-formed request', () => {
    expect(validRequest(requestRules.action, { action_id: id })).toEqual({ action_id: id });
    expect(validRequest(requestRules.cancelAction, { action_id: ` ${id}`, reason: ' done ' })).toEqual({ action_id: id, reason: 'done' });
  });

  it('names each field over its limit, and only those', () => {
    const fields = { agent_id: 'a'.repeat(201), action: 'db.read', environment: '', approver_id: '', requested_after: '', requested_before: '', page_token: '' };
    expect(checkRequest(requestRules.searchActions, fields)).toEqual({ ok: false, violations: [{ field: 'agent_id', description: 'must be at most 200 characters' }] });
  });

  it('throws INVALID_ARGUMENT with every violation found, the first rule each field breaks', () => {
    expect(thrown(() => validRequest(requestRules.reviewBreakGlass, { action_id: '', verdict: 'MAYBE', comment: ' ' }))).toMatchObject({
      code: status.INVALID_ARGUMENT,
      violations: [
        { field: 'action_id', description: 'is required' },
        { field: 'verdict', description: 'must be JUSTIFIED or UNJUSTIFIED' },
        { field: 'comment', description: 'is required: record what the review found' },
      ],
    });
  });

  it('checks a vote across its fields, in the order a caller reads them', () => {
    expect(thrown(() => validRequest(requestRules.castVote, { action_id: 'x', decision: 'DENY', comment: '', standing: { seconds: 0, thisRunOnly: true } }))).toMatchObject({
      violations: [
        { field: 'action_id', description: 'must be an action id (a lower-case UUID)' },
        { field: 'comment', description: 'a reason is required when denying' },
        { field: 'standing', description: 'only an APPROVE vote can grant a standing approval' },
        { field: 'standing.seconds', description: 'must be between 1 and 2592000 seconds' },
      ],
    });
  });
});

import { status } from '@grpc/grpc-js';
import type { RpcException } from '@nestjs/microservices';
import { actionIdViolation, lengthViolations, requireActionId, throwIfAny } from './grpc-input';

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

describe('actionIdViolation', () => {
  it('is undefined for a well-formed id', () => {
    expect(actionIdViolation(id)).toBeUndefined();
  });
});

describe('lengthViolations', () => {
  it('names each field over its limit, and only those', () => {
    expect(
      lengthViolations({
        agent_id: { value: 'a'.repeat(201), max: 200 },
        action: { value: 'db.read', max: 100 },
        environment: { value: undefined, max: 50 },
      }),
    ).toEqual([{ field: 'agent_id', description: 'must be at most 200 characters' }]);
  });
});

describe('throwIfAny', () => {
  it('does nothing without violations', () => {
    expect(() => throwIfAny([undefined])).not.toThrow();
  });

  it('throws INVALID_ARGUMENT with the violations found', () => {
    expect(thrown(() => throwIfAny([undefined, { field: 'comment', description: 'is required' }]))).toMatchObject({
      code: status.INVALID_ARGUMENT,
      violations: [{ field: 'comment', description: 'is required' }],
    });
  });
});

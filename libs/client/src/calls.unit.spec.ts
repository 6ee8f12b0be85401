import * as grpc from '@grpc/grpc-js';
import { collect, isServiceError, statusName } from './calls';

describe('statusName', () => {
  it('names gRPC status codes', () => {
    expect(statusName(grpc.status.UNAVAILABLE)).toBe('UNAVAILABLE');
    expect(statusName(grpc.status.ABORTED)).toBe('ABORTED');
    expect(statusName(99 as grpc.status)).toBe('STATUS_99');
  });
});

describe('isServiceError', () => {
  it('accepts errors with a code, details and metadata', () => {
    const error = Object.assign(new Error('5 NOT_FOUND: gone'), { code: grpc.status.NOT_FOUND, details: 'gone', metadata: new grpc.Metadata() });

    expect(isServiceError(error)).toBe(true);
  });

  it.each([new Error('plain'), Object.assign(new Error('x'), { code: 'ENOENT' }), { code: 5, details: 'not an Error', metadata: new grpc.Metadata() }, undefined])(
    'refuses %p',
    (value) => {
      expect(isServiceError(value)).toBe(false);
    },
  );
});

describe('collect', () => {
  it('reads a stream to its end', async () => {
    async function* three() {
      yield* [1, 2, 3];
    }

    await expect(collect(three())).resolves.toEqual([1, 2, 3]);
  });
});

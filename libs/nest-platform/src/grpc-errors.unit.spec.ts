import { Metadata, status } from '@grpc/grpc-js';
import type { ArgumentsHost } from '@nestjs/common';
import { Logger } from '@nestjs/common';
import { RpcException } from '@nestjs/microservices';
import { lastValueFrom } from 'rxjs';
import { BusUnavailableError, StoreUnavailableError } from '@approvals/application';
import { GrpcExceptionFilter, grpcError, grpcErrorLimits, invalidArgument, truncateUtf8, violationsTrailer } from './grpc-errors';

interface StatusObject {
  code: number;
  details: string;
  metadata?: Metadata;
}

const statusOf = (exception: RpcException) => exception.getError() as StatusObject;
const bytes = (text: string) => Buffer.byteLength(text, 'utf8');
const trailer = (exception: RpcException) => statusOf(exception).metadata?.get('x-field-violations')[0] as string | undefined;

describe('truncateUtf8', () => {
  it('leaves short text alone', () => {
    expect(truncateUtf8('action_id: is required', 1024)).toBe('action_id: is required');
  });

  it('cuts long text to the byte budget, ellipsis included', () => {
    const cut = truncateUtf8('x'.repeat(5000), 1024);

    expect(bytes(cut)).toBeLessThanOrEqual(1024);
    expect(cut.endsWith('…')).toBe(true);
  });

  it('never cuts inside a multi-byte character or a surrogate pair', () => {
    for (const char of ['é', '€', '😀']) {
      const cut = truncateUtf8(char.repeat(1000), 100);

      expect(bytes(cut)).toBeLessThanOrEqual(100);
      expect(cut.slice(0, -1)).toBe(char.repeat(cut.slice(0, -1).length / char.length));
      expect(() => encodeURI(cut)).not.toThrow();
    }
  });
});

describe('grpcError', () => {
  it('carries the code and the message as details', () => {
    expect(statusOf(grpcError('NOT_FOUND', 'action 1 not found'))).toMatchObject({ code: status.NOT_FOUND, details: 'action 1 not found' });
  });

  it(`never puts more than ${grpcErrorLimits.messageBytes} bytes of message into the status`, () => {
    const error = statusOf(grpcError('NOT_FOUND', `action ${'x'.repeat(100_000)} not found`));

    expect(bytes(error.details)).toBeLessThanOrEqual(grpcErrorLimits.messageBytes);
    expect(error.details.startsWith('action xxx')).toBe(true);
  });

  it('sends field violations as JSON in the x-field-violations trailer', () => {
    const violations = [{ field: 'action_id', description: 'is required' }];

    expect(JSON.parse(trailer(grpcError('INVALID_ARGUMENT', 'action_id: is required', violations))!)).toEqual(violations);
  });

  it('escapes non-ASCII descriptions, which metadata values cannot carry raw', () => {
    const violations = [{ field: 'on_behalf_of', description: '"müller 😀" is not a known human' }];

    const value = trailer(grpcError('INVALID_ARGUMENT', 'bad', violations))!;

    expect(value).toMatch(/^[ -~]*$/);
    expect(JSON.parse(value)).toEqual(violations);
  });

  it('shortens each violation and keeps the trailer within its cap', () => {
    const many = Array.from({ length: 50 }, (_, i) => ({ field: `field_${i}_${'f'.repeat(500)}`, description: 'd'.repeat(10_000) }));

    const value = violationsTrailer(many);
    const kept = JSON.parse(value) as { field: string; description: string }[];

    expect(value.length).toBeLessThanOrEqual(grpcErrorLimits.violationsBytes);
    expect(kept.length).toBeGreaterThan(0);
    expect(kept.length).toBeLessThan(many.length);
    for (const violation of kept) {
      expect(bytes(violation.field)).toBeLessThanOrEqual(grpcErrorLimits.fieldBytes);
      expect(bytes(violation.description)).toBeLessThanOrEqual(grpcErrorLimits.descriptionBytes);
    }
  });
});

describe('invalidArgument', () => {
  it('lists every violation in the message and the trailer', () => {
    const violations = [
      { field: 'action_id', description: 'is required' },
      { field: 'comment', description: 'a reason is required when denying' },
    ];

    const error = invalidArgument(violations);

    expect(statusOf(error)).toMatchObject({
      code: status.INVALID_ARGUMENT,
      details: 'action_id: is required; comment: a reason is required when denying',
    });
    expect(JSON.parse(trailer(error)!)).toEqual(violations);
  });
});

describe('GrpcExceptionFilter', () => {
  const filter = new GrpcExceptionFilter();
  const host = {} as ArgumentsHost;
  const answer = (exception: unknown) => lastValueFrom(filter.catch(exception, host)).then(
    () => {
      throw new Error('expected an error');
    },
    (error: unknown) => error as StatusObject,
  );

  beforeAll(() => jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined));
  afterAll(() => jest.restoreAllMocks());

  it('passes a status built by grpcError through', async () => {
    expect(await answer(grpcError('NOT_FOUND', 'action 1 not found'))).toMatchObject({ code: status.NOT_FOUND, details: 'action 1 not found' });
  });

  it('answers UNAVAILABLE when the bus could not carry a command (a retry is safe)', async () => {
    const answered = await answer(new BusUnavailableError('no reply to approvals.decision.request-action.v1 within 10000 ms; retry later'));
    expect(answered).toMatchObject({ code: status.UNAVAILABLE, details: 'no reply to approvals.decision.request-action.v1 within 10000 ms; retry later' });
  });

  it('answers UNAVAILABLE when the store cannot be reached ("not yet", never "allowed")', async () => {
    const answered = await answer(new StoreUnavailableError('postgres://db:5432/approvals (schema approvals) cannot be reached: connect ECONNREFUSED'));
    expect(answered).toMatchObject({ code: status.UNAVAILABLE, details: 'postgres://db:5432/approvals (schema approvals) cannot be reached: connect ECONNREFUSED' });
  });

  it('turns anything else into INTERNAL without details', async () => {
    for (const exception of [new Error('boom'), grpcError('NOT_FOUND', 'x').getError(), new RpcException('text only')]) {
      expect(await answer(exception)).toEqual({ code: status.INTERNAL, details: 'internal error; the server log has the details' });
    }
  });
});

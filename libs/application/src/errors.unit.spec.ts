import { apiErrorOf } from './errors';

describe('apiErrorOf: the one mapping of domain errors to what callers get', () => {
  it.each([
    ['NOT_FOUND', 'NOT_FOUND'],
    ['IDEMPOTENCY_CONFLICT', 'ALREADY_EXISTS'],
    ['INVALID_STATE', 'FAILED_PRECONDITION'],
    ['ALREADY_FINAL', 'FAILED_PRECONDITION'],
    ['PERMISSION_DENIED', 'PERMISSION_DENIED'],
    ['CONFLICT', 'ABORTED'],
    ['LEDGER_INCONSISTENT', 'DATA_LOSS'],
  ])('%s becomes %s, with its message', (domain, api) => {
    expect(apiErrorOf({ code: domain, message: 'why' })).toEqual({ code: api, message: 'why' });
  });

  it('keeps INVALID_ARGUMENT with no field violations of its own', () => {
    expect(apiErrorOf({ code: 'INVALID_ARGUMENT', message: 'bad hash' })).toEqual({ code: 'INVALID_ARGUMENT', message: 'bad hash', violations: [] });
  });

  it('answers INTERNAL for a code it does not know, such as one from a newer service on the bus', () => {
    expect(apiErrorOf({ code: 'SOMETHING_NEW', message: 'x' })).toEqual({ code: 'INTERNAL', message: 'x' });
    expect(apiErrorOf({ code: 'toString', message: 'x' })).toEqual({ code: 'INTERNAL', message: 'x' });
  });
});

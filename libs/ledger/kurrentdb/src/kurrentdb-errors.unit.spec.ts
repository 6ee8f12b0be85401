import {
  AccessDeniedError,
  DeadlineExceededError,
  StreamNotFoundError,
  UnavailableError,
  WrongExpectedVersionError,
} from '@kurrent/kurrentdb-client';
import { describeKurrentDb, explainClientError, KurrentDbAccessDeniedError, KurrentDbUnavailableError } from './kurrentdb-errors';

const LOCATION = 'kurrentdb://db1:2113';

describe('KurrentDB errors', () => {
  it('describes a connection string without its credentials', () => {
    expect(describeKurrentDb('kurrentdb://admin:changeit@db1:2113,db2:2113?tls=true')).toBe('kurrentdb://db1:2113,db2:2113');
    expect(describeKurrentDb('esdb+discover://user:secret@cluster.example.com:2113')).toBe('esdb+discover://cluster.example.com:2113');
    expect(describeKurrentDb('kurrentdb://localhost:2113?tls=false')).toBe('kurrentdb://localhost:2113');
    expect(describeKurrentDb('not a connection string')).toMatch(/unparsable/);
  });

  it('says where and what to check when the server cannot be reached, whichever way the client reports it', () => {
    const causes = [
      new UnavailableError(undefined, 'UnavailableError'),
      new DeadlineExceededError(undefined, 'deadline'),
      Object.assign(new Error('14 UNAVAILABLE: No connection established'), { code: 14 }),
    ];
    for (const cause of causes) {
      const error = explainClientError(cause, LOCATION, 'append to action-1');

      expect(error).toBeInstanceOf(KurrentDbUnavailableError);
      expect(error).toMatchObject({ location: LOCATION, operation: 'append to action-1', cause });
      expect((error as Error).message).toMatch(/^KurrentDB at kurrentdb:\/\/db1:2113 cannot be reached \(append to action-1\): .+; check that the server runs/);
    }
  });

  it('explains a refused user', () => {
    const error = explainClientError(new AccessDeniedError(undefined, 'Access denied'), LOCATION, 'save checkpoint p');

    expect(error).toBeInstanceOf(KurrentDbAccessDeniedError);
    expect((error as Error).message).toMatch(/denied access \(save checkpoint p\).*\$admins/);
  });

  it('passes every other error through unchanged', () => {
    const conflict = new WrongExpectedVersionError(undefined, { streamName: 's', expected: 0n, current: 1n });
    const missing = new StreamNotFoundError(undefined, 's');
    const plain = new Error('boom');

    for (const error of [conflict, missing, plain]) expect(explainClientError(error, LOCATION, 'x')).toBe(error);
  });
});

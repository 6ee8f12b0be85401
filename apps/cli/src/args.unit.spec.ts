import {
  buildParameters,
  expectPositionals,
  parseCommandArgs,
  parseInteger,
  parseParam,
  parseParamValue,
  parseResource,
  parseSeconds,
  parseStatus,
  required,
  withOptionalValue,
} from './args';
import { UsageError } from './errors';

describe('parseParamValue', () => {
  it.each([
    ['5000', 5000],
    ['-2.5', -2.5],
    ['1e3', 1000],
    ['0', 0],
    ['true', true],
    ['false', false],
    ['null', null],
    ['["a","b"]', ['a', 'b']],
    ['{"x":1}', { x: 1 }],
    ['"5000"', '5000'],
  ])('types %s', (raw, expected) => {
    expect(parseParamValue(raw)).toEqual(expected);
  });

  it.each([
    ['customers', 'customers'],
    ['007', '007'],
    ['12345678901234567890', '12345678901234567890'],
    ['[draft] report', '[draft] report'],
    ['', ''],
    ['True', 'True'],
  ])('keeps %s as text', (raw, expected) => {
    expect(parseParamValue(raw)).toBe(expected);
  });
});

describe('parseParam', () => {
  it('splits at the first =', () => {
    expect(parseParam('filter=a=b')).toEqual(['filter', 'a=b']);
    expect(parseParam('rows=5000')).toEqual(['rows', 5000]);
  });

  it.each(['rows', '=5000'])('refuses %s with an example', (text) => {
    expect(() => parseParam(text)).toThrow(new UsageError(`--param expects key=value, e.g. --param rows=5000 (got "${text}")`));
  });
});

describe('buildParameters', () => {
  it('merges --params-json with --param, the flags winning', () => {
    expect(buildParameters(['rows=5000', 'dryRun=true'], '{"rows":1,"format":"csv"}')).toEqual({ rows: 5000, format: 'csv', dryRun: true });
  });

  it('gives {} without parameters', () => {
    expect(buildParameters([])).toEqual({});
  });

  it('refuses a key given twice', () => {
    expect(() => buildParameters(['rows=1', 'rows=2'])).toThrow('--param rows is given more than once');
  });

  it.each(['[1,2]', 'null', '5'])('refuses --params-json %s that is not an object', (json) => {
    expect(() => buildParameters([], json)).toThrow('--params-json must be a JSON object');
  });

  it('refuses --params-json that is not JSON', () => {
    expect(() => buildParameters([], '{rows:1}')).toThrow(/^--params-json is not valid JSON: /);
  });
});

describe('parseResource', () => {
  it('reads kind:id, keeping later colons in the id', () => {
    expect(parseResource('dataset:customers')).toEqual({ kind: 'dataset', id: 'customers' });
    expect(parseResource('cluster:eu:prod-1')).toEqual({ kind: 'cluster', id: 'eu:prod-1' });
  });

  it.each(['customers', ':customers', 'dataset:', ' : '])('refuses %j', (text) => {
    expect(() => parseResource(text)).toThrow(`--resource must look like kind:id, e.g. dataset:customers (got "${text}")`);
  });
});

describe('number flags', () => {
  it('reads seconds', () => {
    expect(parseSeconds('--wait', '30')).toBe(30);
    expect(parseSeconds('--wait', '0.5')).toBe(0.5);
  });

  it.each(['0', '-1', 'soon', '', '86401'])('refuses %j seconds', (text) => {
    expect(() => parseSeconds('--timeout', text)).toThrow(`--timeout must be a number of seconds between 0 and 86400 (got "${text}")`);
  });

  it('reads a bounded whole number', () => {
    expect(parseInteger('--limit', '20', 1, 500)).toBe(20);
    expect(() => parseInteger('--limit', '501', 1, 500)).toThrow('--limit must be a whole number from 1 to 500 (got "501")');
    expect(() => parseInteger('--limit', '2.5', 1, 500)).toThrow(UsageError);
  });
});

describe('parseStatus', () => {
  it('forgives case and dashes', () => {
    expect(parseStatus('approved')).toBe('APPROVED');
    expect(parseStatus('awaiting-approval')).toBe('AWAITING_APPROVAL');
  });

  it('lists the statuses when it does not know one', () => {
    expect(() => parseStatus('done')).toThrow(
      '--status must be one of PENDING_POLICY, AWAITING_APPROVAL, APPROVED, DENIED, EXPIRED, CANCELLED (got "done")',
    );
  });
});

describe('withOptionalValue', () => {
  it('gives a bare flag the fallback and keeps a number that follows', () => {
    expect(withOptionalValue(['--wait'], 'wait', '60')).toEqual(['--wait=60']);
    expect(withOptionalValue(['--wait', '30', '--json'], 'wait', '60')).toEqual(['--wait=30', '--json']);
    expect(withOptionalValue(['--wait', '--json'], 'wait', '60')).toEqual(['--wait=60', '--json']);
    expect(withOptionalValue(['--wait=5'], 'wait', '60')).toEqual(['--wait=5']);
  });

  it('leaves everything after -- alone', () => {
    expect(withOptionalValue(['--', '--wait'], 'wait', '60')).toEqual(['--', '--wait']);
  });
});

describe('parseCommandArgs', () => {
  const options = { agent: { type: 'string', description: 'agent' }, param: { type: 'string', multiple: true, description: 'p' } } as const;

  it('accepts the command flags and the global ones', () => {
    const { values, positionals } = parseCommandArgs('request', ['--agent', 'a', '--param', 'x=1', '--param=y=2', '--json', 'id'], options);

    expect(values).toMatchObject({ agent: 'a', param: ['x=1', 'y=2'], json: true });
    expect(positionals).toEqual(['id']);
  });

  it('names an unknown flag and the command', () => {
    expect(() => parseCommandArgs('request', ['--agnet', 'a'], options)).toThrow(new UsageError('request: unknown option --agnet'));
  });

  it('explains a flag without its value', () => {
    expect(() => parseCommandArgs('request', ['--agent'], options)).toThrow(new UsageError('request: --agent needs a value'));
  });
});

describe('required flags and positionals', () => {
  it('names a missing flag', () => {
    expect(() => required('request', 'action', undefined)).toThrow(new UsageError('request: --action is required'));
    expect(() => required('request', 'action', '  ')).toThrow('request: --action is required');
    expect(required('request', 'action', 'db.export')).toBe('db.export');
  });

  it('names a missing positional and refuses extras', () => {
    expect(() => expectPositionals('get', [], ['actionId'])).toThrow(new UsageError('get: missing <actionId>'));
    expect(() => expectPositionals('get', ['a', 'b'], ['actionId'])).toThrow('get: unexpected argument "b"');
    expect(expectPositionals('get', ['a'], ['actionId'])).toEqual(['a']);
  });
});

describe('parseCommandArgs messages', () => {
  const options = { agent: { type: 'string', description: 'agent' } } as const;

  it('says when a switch gets a value', () => {
    expect(() => parseCommandArgs('get', ['--json=yes'], options)).toThrow(new UsageError('get: --json takes no value'));
  });

  it('says when a flag swallows the next flag', () => {
    expect(() => parseCommandArgs('get', ['--agent', '--json'], options)).toThrow(/^get: option '--agent' argument is ambiguous/);
  });
});

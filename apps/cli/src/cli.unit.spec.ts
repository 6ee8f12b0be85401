import * as grpc from '@grpc/grpc-js';
import { ExitCode } from './errors';
import { actionView, serviceError } from './testing/fixtures';
import { CliHarness } from './testing/cli-harness';

describe('approvals: help and usage errors', () => {
  it('lists every command for --help', async () => {
    const cli = new CliHarness({});

    expect(await cli.run(['--help'])).toBe(ExitCode.ok);
    for (const name of ['request', 'get', 'watch', 'await', 'cancel', 'pending', 'approve', 'deny', 'timeline', 'search']) {
      expect(cli.stdout).toMatch(new RegExp(`^  ${name} `, 'm'));
    }
  });

  it('prints the usage to stderr and exits 2 without a command', async () => {
    const cli = new CliHarness({});

    expect(await cli.run([])).toBe(ExitCode.usage);
    expect(cli.stdout).toBe('');
    expect(cli.stderr).toContain('usage: approvals <command> [options]');
  });

  it.each([
    [['deny', '--help']],
    [['help', 'deny']],
    [['--json', 'deny', '-h']],
  ])('shows one command\'s help for %j', async (argv) => {
    const cli = new CliHarness({});

    expect(await cli.run(argv)).toBe(ExitCode.ok);
    expect(cli.stdout).toContain('usage: approvals deny <actionId> --as <human> --reason <text>');
    expect(cli.stdout).toContain('--reason <text>');
    expect(cli.stdout).toContain('global options:');
  });

  it('refuses an unknown command with exit code 2', async () => {
    const cli = new CliHarness({});

    expect(await cli.run(['aprove', 'act-1'])).toBe(ExitCode.usage);
    expect(cli.err).toEqual(['error: unknown command "aprove"', 'run "approvals --help" for usage']);
  });

  it('refuses an unknown flag with exit code 2 and calls nothing', async () => {
    const cli = new CliHarness({});

    expect(await cli.run(['get', 'act-1', '--verbose'])).toBe(ExitCode.usage);
    expect(cli.err).toEqual(['error: get: unknown option --verbose', 'run "approvals get --help" for usage']);
    expect(cli.calls).toEqual([]);
  });

  it('accepts global flags before the command', async () => {
    const cli = new CliHarness({ getAction: async () => actionView() });

    expect(await cli.run(['--json', '--address', 'h:1', 'get', 'act-1'])).toBe(ExitCode.ok);
    expect(JSON.parse(cli.stdout)).toMatchObject({ actionId: 'act-1' });
  });
});

describe('approvals: gRPC errors', () => {
  it('prints the status name and details without a stack, exit code 1', async () => {
    const cli = new CliHarness({ getAction: async () => Promise.reject(serviceError(grpc.status.NOT_FOUND, 'no action act-9')) });

    expect(await cli.run(['get', 'act-9'])).toBe(ExitCode.failure);
    expect(cli.err).toEqual(['error: NOT_FOUND: no action act-9']);
  });

  it('hints that the server is not running on UNAVAILABLE', async () => {
    const cli = new CliHarness(
      { getAction: async () => Promise.reject(serviceError(grpc.status.UNAVAILABLE, 'No connection established. Resolution note: ')) },
      { env: { APPROVALS_ADDRESS: '127.0.0.1:59999' } },
    );

    expect(await cli.run(['get', 'act-1'])).toBe(ExitCode.failure);
    expect(cli.err).toEqual([
      'error: UNAVAILABLE: No connection established.',
      'hint: no approvals server answers at 127.0.0.1:59999; start it with npm start (or use --address / APPROVALS_ADDRESS)',
    ]);
  });

  it('prints other failures as one line', async () => {
    const cli = new CliHarness({ getAction: async () => Promise.reject(new Error('boom')) });

    expect(await cli.run(['get', 'act-1'])).toBe(ExitCode.failure);
    expect(cli.err).toEqual(['error: boom']);
  });

  it('closes the connection after the command', async () => {
    const cli = new CliHarness({ getAction: async () => Promise.reject(new Error('boom')) });

    await cli.run(['get', 'act-1']);

    expect(cli.closed).toBe(1);
  });
});

describe('approvals: who calls', () => {
  const get = () => new CliHarness({ getAction: async () => actionView() }, { env: { APPROVALS_API_KEY: 'demo-only-from-env' } });

  it('uses the demo key of --agent from the directory file', async () => {
    const cli = get();
    await cli.run(['get', 'act-1', '--agent', 'agent-reporting']);

    expect(cli.calls[0]?.apiKey).toBe('demo-only-agent-reporting-key');
  });

  it('uses the demo key of --as from the directory file', async () => {
    const cli = get();
    await cli.run(['get', 'act-1', '--as', 'alice']);

    expect(cli.calls[0]?.apiKey).toBe('demo-only-alice-key');
  });

  it('prefers --api-key, then the directory, then APPROVALS_API_KEY', async () => {
    const cli = get();
    await cli.run(['get', 'act-1', '--as', 'alice', '--api-key', 'demo-only-flag']);
    await cli.run(['get', 'act-1']);

    expect(cli.calls.map((call) => call.apiKey)).toEqual(['demo-only-flag', 'demo-only-from-env']);
  });

  it('refuses --agent together with --as', async () => {
    const cli = get();

    expect(await cli.run(['get', 'act-1', '--as', 'alice', '--agent', 'agent-reporting'])).toBe(ExitCode.usage);
    expect(cli.err[0]).toBe('error: get: give --agent or --as, not both');
  });

  it('names an agent missing from the directory file', async () => {
    const cli = get();

    expect(await cli.run(['get', 'act-1', '--agent', 'agent-x', '--directory', 'dir.json'])).toBe(ExitCode.failure);
    expect(cli.err).toEqual(['error: agent "agent-x" is not in the directory file dir.json (known: agent-reporting, agent-keyless)']);
  });

  it('names an entry without a key', async () => {
    const cli = get();

    expect(await cli.run(['get', 'act-1', '--as', 'nokey', '--directory', 'dir.json'])).toBe(ExitCode.failure);
    expect(cli.err).toEqual(['error: human "nokey" has no apiKey in the directory file dir.json; pass --api-key instead']);
  });

  it('explains a missing directory file', async () => {
    const cli = new CliHarness({});

    expect(await cli.run(['get', 'act-1', '--agent', 'agent-reporting', '--directory', 'missing.json'])).toBe(ExitCode.failure);
    expect(cli.err).toEqual([
      'error: cannot read the directory file missing.json: no such file (use --directory or APPROVALS_DIRECTORY, or pass --api-key)',
    ]);
  });

  it('explains a malformed directory file', async () => {
    const cli = new CliHarness({}, { directory: { agents: [{ owner: 'x' }] } });

    expect(await cli.run(['get', 'act-1', '--agent', 'a', '--directory', 'd.json'])).toBe(ExitCode.failure);
    expect(cli.err[0]).toMatch(/^error: the directory file d\.json is malformed: agents\.0\.id: /);
  });
});

describe('approvals help', () => {
  it('prints the command list for "help" and refuses an unknown topic', async () => {
    const cli = new CliHarness({});

    expect(await cli.run(['help'])).toBe(ExitCode.ok);
    expect(cli.stdout).toContain('usage: approvals <command> [options]');
    expect(await cli.run(['help', 'nope'])).toBe(ExitCode.usage);
    expect(cli.err[0]).toBe('error: unknown command "nope"');
  });
});

import type { ActionView__Output, AwaitDecisionResponse__Output, Timeline__Output } from '@approvals/contracts';
import { ExitCode } from '../errors';
import { CliHarness } from '../testing/cli-harness';
import { actionView } from '../testing/fixtures';

const approved = actionView({
  status: 'APPROVED',
  decidedAt: '2025-03-01T09:01:00.000Z',
  reason: 'approved by alice',
  approval: {
    steps: [{ group: 'data-owners', minApprovals: 1 }],
    expiresAt: '2025-03-01T09:59:58.100Z',
    votes: [{ approverId: 'alice', decision: 'APPROVE', channel: 'cli', comment: 'fine', castAt: '2025-03-01T09:01:00.000Z' }],
    denyEndsRequest: true,
    standingMaxSeconds: 0,
    breakGlassGroups: [],
    channels: [],
  },
  grant: { grantId: 'grant-1', token: 'eyJ.secret.sig', expiresAt: '2025-03-01T09:06:00.000Z', redeemedAt: '', revokedAt: '' },
  revision: '4',
});

const decided = (view: ActionView__Output, isDecided = true): AwaitDecisionResponse__Output => ({ decided: isDecided, action: view });

describe('request', () => {
  const argv = ['request', '--agent', 'agent-reporting', '--action', 'db.export', '--resource', 'dataset:customers', '--env', 'prod'];
  const created = { actionId: 'act-1', status: 'AWAITING_APPROVAL' as const, created: true };

  it('sends the request as the agent and prints the id and status', async () => {
    const cli = new CliHarness({ requestAction: async () => created });

    const code = await cli.run([...argv, '--param', 'rows=5000', '--param', 'dryRun=false', '--model', 'gpt-x', '--on-behalf-of', 'olivia', '--justification', 'weekly report']);

    expect(code).toBe(ExitCode.ok);
    expect(cli.calls).toEqual([
      {
        method: 'requestAction',
        apiKey: 'demo-only-agent-reporting-key',
        request: {
          action: 'db.export',
          resource: { kind: 'dataset', id: 'customers' },
          environment: 'prod',
          parametersJson: '{"rows":5000,"dryRun":false}',
          model: 'gpt-x',
          onBehalfOf: 'olivia',
          justification: 'weekly report',
          dataClassification: '',
          idempotencyKey: 'key-1',
        },
      },
    ]);
    expect(cli.stdout).toBe(['action id        act-1', 'status           AWAITING_APPROVAL', 'created          yes', 'idempotency key  key-1'].join('\n'));
  });

  it('says when the idempotency key returned an earlier action', async () => {
    const cli = new CliHarness({ requestAction: async () => ({ ...created, created: false }) });

    await cli.run([...argv, '--key', 'retry-7']);

    expect(cli.calls[0]?.request).toMatchObject({ idempotencyKey: 'retry-7' });
    expect(cli.stdout).toContain('created          no, an earlier request with this idempotency key');
  });

  it.each([
    ['--action', 'request: --action is required'],
    ['--resource', 'request: --resource is required'],
    ['--env', 'request: --env is required'],
  ])('refuses to run without %s', async (flag, message) => {
    const cli = new CliHarness({ requestAction: async () => created });
    const without = [...argv];
    without.splice(without.indexOf(flag), 2);

    expect(await cli.run(without)).toBe(ExitCode.usage);
    expect(cli.err[0]).toBe(`error: ${message}`);
    expect(cli.calls).toEqual([]);
  });

  it('needs an agent or a key', async () => {
    const cli = new CliHarness({ requestAction: async () => created });

    expect(await cli.run(argv.filter((arg) => arg !== '--agent' && arg !== 'agent-reporting'))).toBe(ExitCode.usage);
    expect(cli.err[0]).toBe('error: request: --agent <id> is required (or pass --api-key, or set APPROVALS_API_KEY)');
  });

  it('takes the key from APPROVALS_API_KEY without --agent', async () => {
    const cli = new CliHarness({ requestAction: async () => created }, { env: { APPROVALS_API_KEY: 'demo-only-env' } });

    expect(await cli.run(['request', ...argv.slice(3)])).toBe(ExitCode.ok);
    expect(cli.calls[0]?.apiKey).toBe('demo-only-env');
  });

  it('waits for the decision with --wait and exits 0 when approved', async () => {
    const awaitDecision = jest.fn(async () => decided(approved));
    const cli = new CliHarness({ requestAction: async () => created, awaitDecision });

    expect(await cli.run([...argv, '--wait'])).toBe(ExitCode.ok);
    expect(awaitDecision).toHaveBeenCalledWith({ actionId: 'act-1', timeoutMs: 60_000 }, 65_000);
    expect(cli.err).toEqual(['waiting up to 60 s for a decision on act-1 ...']);
    expect(cli.stdout).toContain('status           APPROVED');
    expect(cli.stdout).toContain('grant            grant-1 (expires 2025-03-01T09:06:00.000Z)');
  });

  it('takes the wait in seconds and exits 4 when nothing was decided', async () => {
    const awaitDecision = jest.fn(async () => decided(actionView(), false));
    const cli = new CliHarness({ requestAction: async () => created, awaitDecision });

    expect(await cli.run([...argv, '--wait', '5'])).toBe(ExitCode.undecided);
    expect(awaitDecision).toHaveBeenCalledWith({ actionId: 'act-1', timeoutMs: 5_000 }, 10_000);
    expect(cli.out.slice(-2)).toEqual(['', 'no decision within 5 s; action act-1 is still AWAITING_APPROVAL']);
  });

  it('prints one JSON object per response with --json --wait', async () => {
    const cli = new CliHarness({ requestAction: async () => created, awaitDecision: async () => decided(approved) });

    await cli.run([...argv, '--json', '--wait=1']);

    expect(cli.out.map((line) => JSON.parse(line) as unknown)).toEqual([created, decided(approved)]);
  });
});

describe('get', () => {
  it('prints the action as labelled lines, leaving out empty fields', async () => {
    const cli = new CliHarness({ getAction: async () => approved });

    expect(await cli.run(['get', 'act-1'])).toBe(ExitCode.ok);
    expect(cli.calls).toEqual([{ method: 'getAction', apiKey: undefined, request: { actionId: 'act-1' } }]);
    expect(cli.stdout).toBe(
      [
        'action id        act-1',
        'status           APPROVED',
        'agent            agent-reporting',
        'model            gpt-x',
        'on behalf of     olivia',
        'action           db.export',
        'resource         dataset:customers',
        'environment      prod',
        'parameters       {"rows":5000}',
        'justification    weekly report',
        'idempotency key  key-1',
        'requested at     2025-03-01T08:59:58.000Z',
        'policy           REQUIRE_APPROVAL by prod-export-needs-owner (policy set demo-7)',
        'policy reason    production exports need a data owner',
        'approval needs   1 of data-owners',
        'expires at       2025-03-01T09:59:58.100Z',
        'vote             alice APPROVE via cli at 2025-03-01T09:01:00.000Z: "fine"',
        'decided at       2025-03-01T09:01:00.000Z',
        'reason           approved by alice',
        'grant            grant-1 (expires 2025-03-01T09:06:00.000Z)',
        'revision         4',
      ].join('\n'),
    );
  });

  it('prints the raw view with --json', async () => {
    const cli = new CliHarness({ getAction: async () => approved });

    await cli.run(['get', 'act-1', '--json']);

    expect(JSON.parse(cli.stdout)).toEqual(approved);
  });

  it('needs the action id', async () => {
    const cli = new CliHarness({});

    expect(await cli.run(['get'])).toBe(ExitCode.usage);
    expect(cli.err[0]).toBe('error: get: missing <actionId>');
  });
});

describe('watch', () => {
  async function* updates(...views: ActionView__Output[]) {
    yield* views;
  }

  it('prints one line per status change and exits 0 when approved', async () => {
    const pending = actionView();
    const cli = new CliHarness({ watchAction: () => updates(actionView({ status: 'PENDING_POLICY', approval: null, revision: '0' }), pending, pending, approved) });

    expect(await cli.run(['watch', 'act-1', '--as', 'alice'])).toBe(ExitCode.ok);
    expect(cli.calls).toEqual([{ method: 'watchAction', apiKey: 'demo-only-alice-key', request: { actionId: 'act-1' } }]);
    expect(cli.out).toEqual([
      '2025-03-01T09:00:00.000Z  PENDING_POLICY     revision 0  waiting for the policy evaluation',
      '2025-03-01T09:00:00.000Z  AWAITING_APPROVAL  revision 2  needs 1 of data-owners; expires 2025-03-01T09:59:58.100Z',
      '2025-03-01T09:00:00.000Z  APPROVED           revision 4  approved by alice at 2025-03-01T09:01:00.000Z',
    ]);
  });

  it('exits 3 when the action ends otherwise', async () => {
    const cli = new CliHarness({ watchAction: () => updates(actionView({ status: 'EXPIRED', reason: 'no votes before the deadline' })) });

    expect(await cli.run(['watch', 'act-1'])).toBe(ExitCode.negative);
  });

  it('prints each view as a JSON line with --json', async () => {
    const cli = new CliHarness({ watchAction: () => updates(actionView(), approved) });

    await cli.run(['watch', 'act-1', '--json']);

    expect(cli.out.map((line) => (JSON.parse(line) as ActionView__Output).status)).toEqual(['AWAITING_APPROVAL', 'APPROVED']);
  });
});

describe('await', () => {
  it('waits --timeout seconds and exits 3 when denied', async () => {
    const awaitDecision = jest.fn(async () => decided(actionView({ status: 'DENIED', reason: 'denied by bob: too many rows' })));
    const cli = new CliHarness({ awaitDecision });

    expect(await cli.run(['await', 'act-1', '--timeout', '2'])).toBe(ExitCode.negative);
    expect(awaitDecision).toHaveBeenCalledWith({ actionId: 'act-1', timeoutMs: 2_000 }, 7_000);
    expect(cli.stdout).toContain('reason           denied by bob: too many rows');
  });

  it('refuses a timeout that is not a number', async () => {
    const cli = new CliHarness({});

    expect(await cli.run(['await', 'act-1', '--timeout', 'soon'])).toBe(ExitCode.usage);
    expect(cli.err[0]).toBe('error: --timeout must be a number of seconds between 0 and 86400 (got "soon")');
  });
});

describe('cancel', () => {
  it('cancels as the agent with the reason and prints the result', async () => {
    const cli = new CliHarness({ cancelAction: async () => actionView({ status: 'CANCELLED', reason: 'not needed any more' }) });

    expect(await cli.run(['cancel', 'act-1', '--agent', 'agent-reporting', '--reason', 'not needed any more'])).toBe(ExitCode.ok);
    expect(cli.calls).toEqual([
      { method: 'cancelAction', apiKey: 'demo-only-agent-reporting-key', request: { actionId: 'act-1', reason: 'not needed any more' } },
    ]);
    expect(cli.stdout).toContain('status           CANCELLED');
  });

  it('needs the agent', async () => {
    const cli = new CliHarness({});

    expect(await cli.run(['cancel', 'act-1'])).toBe(ExitCode.usage);
    expect(cli.err[0]).toBe('error: cancel: --agent <id> is required (or pass --api-key, or set APPROVALS_API_KEY)');
  });
});

describe('pending', () => {
  const item = {
    actionId: 'act-1',
    agentId: 'agent-reporting',
    onBehalfOf: 'olivia',
    action: 'db.export',
    resource: { kind: 'dataset', id: 'customers' },
    environment: 'prod',
    justification: 'weekly report',
    steps: [{ group: 'data-owners', minApprovals: 1 }],
    approvedBy: [],
    requestedAt: '2025-03-01T08:59:58.000Z',
    expiresAt: '2025-03-01T09:59:58.100Z',
    reasons: [],
    kind: 'APPROVAL',
    invokedBy: '',
    breakGlassJustification: '',
  };

  it('lists what the approver may vote on as a table', async () => {
    const cli = new CliHarness({ listPending: async () => ({ items: [item] }) });

    expect(await cli.run(['pending', '--as', 'alice'])).toBe(ExitCode.ok);
    expect(cli.calls).toEqual([{ method: 'listPending', apiKey: 'demo-only-alice-key', request: { onlyMine: true, limit: 0 } }]);
    expect(cli.out).toEqual([
      [
        'ACTION ID  WAITS FOR  AGENT            FOR     ACTION     RESOURCE           ENV   NEEDS             APPROVED BY  DUE                       JUSTIFICATION',
        'act-1      votes      agent-reporting  olivia  db.export  dataset:customers  prod  1 of data-owners               2025-03-01T09:59:58.100Z  weekly report',
      ].join('\n'),
    ]);
  });

  it('lists everything with --all or without an approver', async () => {
    const cli = new CliHarness({ listPending: async () => ({ items: [] }) });

    await cli.run(['pending', '--as', 'alice', '--all', '--limit', '10']);
    await cli.run(['pending']);

    expect(cli.calls.map((call) => call.request)).toEqual([
      { onlyMine: false, limit: 10 },
      { onlyMine: false, limit: 0 },
    ]);
    expect(cli.out).toEqual(['nothing is waiting for alice', 'nothing is waiting for approval']);
  });
});

describe('approve and deny', () => {
  it('approves as the person with the comment', async () => {
    const cli = new CliHarness({ castVote: async () => ({ accepted: true, rejectionReason: '', detail: '', status: 'APPROVED' }) });

    expect(await cli.run(['approve', 'act-1', '--as', 'alice', '--comment', 'fine'])).toBe(ExitCode.ok);
    expect(cli.calls).toEqual([
      { method: 'castVote', apiKey: 'demo-only-alice-key', request: { actionId: 'act-1', decision: 'APPROVE', comment: 'fine' } },
    ]);
    expect(cli.out).toEqual(['vote accepted: action act-1 is now APPROVED']);
  });

  it('prints the rejection reason and detail, exit code 3', async () => {
    const cli = new CliHarness({
      castVote: async () => ({ accepted: false, rejectionReason: 'SELF_APPROVAL', detail: 'olivia asked for this action', status: 'AWAITING_APPROVAL' }),
    });

    expect(await cli.run(['approve', 'act-1', '--as', 'alice'])).toBe(ExitCode.negative);
    expect(cli.out).toEqual(['vote rejected: SELF_APPROVAL: olivia asked for this action', 'action act-1 is AWAITING_APPROVAL']);
  });

  it('denies with the reason as the comment', async () => {
    const cli = new CliHarness({ castVote: async () => ({ accepted: true, rejectionReason: '', detail: '', status: 'DENIED' }) });

    expect(await cli.run(['deny', 'act-1', '--as', 'bob', '--reason', 'too many rows'])).toBe(ExitCode.ok);
    expect(cli.calls[0]).toEqual({ method: 'castVote', apiKey: 'demo-only-bob-key', request: { actionId: 'act-1', decision: 'DENY', comment: 'too many rows' } });
  });

  it('refuses to deny without a reason', async () => {
    const cli = new CliHarness({});

    expect(await cli.run(['deny', 'act-1', '--as', 'bob'])).toBe(ExitCode.usage);
    expect(cli.err[0]).toBe('error: deny: --reason is required');
    expect(cli.calls).toEqual([]);
  });

  it('needs the approver', async () => {
    const cli = new CliHarness({});

    expect(await cli.run(['approve', 'act-1'])).toBe(ExitCode.usage);
    expect(cli.err[0]).toBe('error: approve: --as <human> is required (or pass --api-key, or set APPROVALS_API_KEY)');
  });
});

describe('timeline', () => {
  const timeline: Timeline__Output = {
    actionId: 'act-1',
    status: 'APPROVED',
    entries: [
      {
        position: '41',
        revision: 0,
        eventId: 'e-1',
        type: 'ActionRequested',
        occurredAt: '2025-03-01T08:59:58.000Z',
        actor: 'agent:agent-reporting',
        summary: 'agent-reporting asks to db.export dataset:customers in prod',
        dataJson: '{}',
        traceId: '4bf92f3577b34da6a3ce929d0e0e4736',
        hash: 'h1',
        prevHash: '',
      },
      {
        position: '1042',
        revision: 1,
        eventId: 'e-2',
        type: 'PolicyEvaluated',
        occurredAt: '2025-03-01T08:59:58.100Z',
        actor: 'policy-evaluator',
        summary: 'REQUIRE_APPROVAL: 1 of data-owners (policy set demo-7) because production exports need a data owner',
        dataJson: '{}',
        traceId: '4bf92f3577b34da6a3ce929d0e0e4736',
        hash: 'h2',
        prevHash: 'h1',
      },
    ],
  };

  it('prints a header and one row per event', async () => {
    const cli = new CliHarness({ getTimeline: async () => timeline });

    expect(await cli.run(['timeline', 'act-1'])).toBe(ExitCode.ok);
    expect(cli.stdout).toBe(
      [
        'action act-1  status APPROVED  2 events',
        ' POS  REV  OCCURRED AT               TYPE             ACTOR                  SUMMARY                                                           TRACE ID',
        '  41    0  2025-03-01T08:59:58.000Z  ActionRequested  agent:agent-reporting  agent-reporting asks to db.export dataset:customers in prod       4bf92f3577b34da6a3ce929d0e0e4736',
        '1042    1  2025-03-01T08:59:58.100Z  PolicyEvaluated  policy-evaluator       REQUIRE_APPROVAL: 1 of data-owners (policy set demo-7) because …  4bf92f3577b34da6a3ce929d0e0e4736',
      ].join('\n'),
    );
  });

  it('prints the raw timeline with --json', async () => {
    const cli = new CliHarness({ getTimeline: async () => timeline });

    await cli.run(['timeline', 'act-1', '--json']);

    expect(JSON.parse(cli.stdout)).toEqual(timeline);
  });
});

describe('search', () => {
  const summary = {
    actionId: 'act-1',
    status: 'APPROVED' as const,
    agentId: 'agent-reporting',
    onBehalfOf: 'olivia',
    action: 'db.export',
    resource: { kind: 'dataset', id: 'customers' },
    environment: 'prod',
    requestedAt: '2025-03-01T08:59:58.000Z',
    decidedAt: '2025-03-01T09:01:00.000Z',
    approvedBy: ['alice'],
    policyVersion: 'demo-7',
    reason: 'approved by alice',
  };

  it('maps the filters onto the request and prints a table with the next page', async () => {
    const cli = new CliHarness({ searchActions: async () => ({ items: [summary], nextPageToken: 'p2' }) });

    const code = await cli.run(['search', '--agent', 'agent-reporting', '--action', 'db.export', '--status', 'approved', '--env', 'prod', '--approver', 'alice', '--limit', '1']);

    expect(code).toBe(ExitCode.ok);
    expect(cli.calls[0]?.request).toEqual({
      agentId: 'agent-reporting',
      action: 'db.export',
      status: 'APPROVED',
      environment: 'prod',
      approverId: 'alice',
      requestedAfter: '',
      requestedBefore: '',
      limit: 1,
      pageToken: '',
    });
    expect(cli.out).toEqual([
      [
        'ACTION ID  STATUS    AGENT            ACTION     RESOURCE           ENV   REQUESTED AT              DECIDED AT                APPROVED BY  POLICY',
        'act-1      APPROVED  agent-reporting  db.export  dataset:customers  prod  2025-03-01T08:59:58.000Z  2025-03-01T09:01:00.000Z  alice        demo-7',
      ].join('\n'),
      'more: approvals search ... --page-token p2',
    ]);
  });

  it('passes the page token and says when nothing matches', async () => {
    const cli = new CliHarness({ searchActions: async () => ({ items: [], nextPageToken: '' }) });

    await cli.run(['search', '--page-token', 'p2']);

    expect(cli.calls[0]?.request).toMatchObject({ pageToken: 'p2', status: 'ACTION_STATUS_UNSPECIFIED', limit: 0 });
    expect(cli.out).toEqual(['no actions match']);
  });

  it('refuses an unknown status', async () => {
    const cli = new CliHarness({});

    expect(await cli.run(['search', '--status', 'done'])).toBe(ExitCode.usage);
    expect(cli.err[0]).toMatch(/^error: --status must be one of PENDING_POLICY, /);
  });
});

describe('standing approvals, break-glass and reviews', () => {
  const accepted = { accepted: true, rejectionReason: '', detail: '', status: 'APPROVED' } as const;

  it('approves with a standing approval, in seconds, optionally for this run only', async () => {
    const cli = new CliHarness({ castVote: async () => accepted });

    expect(await cli.run(['approve', 'act-1', '--as', 'alice', '--standing', '30m'])).toBe(ExitCode.ok);
    expect(await cli.run(['approve', 'act-2', '--as', 'alice', '--standing', '600', '--this-run'])).toBe(ExitCode.ok);
    expect(cli.calls.map((call) => call.request)).toEqual([
      { actionId: 'act-1', decision: 'APPROVE', comment: '', standing: { seconds: 1800, thisRunOnly: false } },
      { actionId: 'act-2', decision: 'APPROVE', comment: '', standing: { seconds: 600, thisRunOnly: true } },
    ]);
  });

  it.each([
    [['--standing', 'soon'], '--standing must be a duration such as 600, 90s, 30m or 1h, up to 30 days (got "soon")'],
    [['--standing', '0'], '--standing must be a duration such as 600, 90s, 30m or 1h, up to 30 days (got "0")'],
    [['--this-run'], 'approve: --this-run needs --standing <duration>'],
  ])('refuses approve %j before calling anything', async (extra, message) => {
    const cli = new CliHarness({});
    expect(await cli.run(['approve', 'act-1', '--as', 'alice', ...extra])).toBe(ExitCode.usage);
    expect(cli.err[0]).toBe(`error: ${message}`);
    expect(cli.calls).toEqual([]);
  });

  it('revokes a standing approval with a reason', async () => {
    const cli = new CliHarness({ revokeStandingApproval: async () => ({ status: 'APPROVED' }) });
    expect(await cli.run(['revoke-standing', 'act-1', '--as', 'bob', '--reason', 'report done'])).toBe(ExitCode.ok);
    expect(cli.calls).toEqual([{ method: 'revokeStandingApproval', apiKey: 'demo-only-bob-key', request: { actionId: 'act-1', reason: 'report done' } }]);
    expect(cli.out).toEqual(['standing approval of action act-1 revoked']);
  });

  it('breaks the glass, and says plainly when the attempt was refused and recorded (exit code 3)', async () => {
    const cli = new CliHarness({
      invokeBreakGlass: async () => ({ accepted: false, rejectionReason: 'NOT_OFFERED', detail: 'no break-glass here', status: 'AWAITING_APPROVAL' }),
    });
    expect(await cli.run(['break-glass', 'act-1', '--as', 'alice', '--justification', 'outage'])).toBe(ExitCode.negative);
    expect(cli.calls[0]).toEqual({ method: 'invokeBreakGlass', apiKey: 'demo-only-alice-key', request: { actionId: 'act-1', justification: 'outage' } });
    expect(cli.out).toEqual(['refused (recorded in the ledger): NOT_OFFERED: no break-glass here', 'action act-1 is AWAITING_APPROVAL']);
  });

  it('reviews a break-glass approval with a verdict and a comment', async () => {
    const cli = new CliHarness({ reviewBreakGlass: async () => accepted });
    expect(await cli.run(['review', 'act-1', '--as', 'bob', '--verdict', 'unjustified', '--comment', 'could have waited'])).toBe(ExitCode.ok);
    expect(cli.calls[0]?.request).toEqual({ actionId: 'act-1', verdict: 'UNJUSTIFIED', comment: 'could have waited' });
    expect(cli.out).toEqual(['reviewed as unjustified: action act-1 is APPROVED']);
    expect(await cli.run(['review', 'act-1', '--as', 'bob', '--verdict', 'maybe', '--comment', 'x'])).toBe(ExitCode.usage);
  });
});

describe.each(['grant-keys', 'checkpoint-keys'])('%s', (command) => {
  it('adds a signing key to the key file and keeps the older ones for verification', async () => {
    const { mkdtempSync, readFileSync, rmSync } = await import('node:fs');
    const { join } = await import('node:path');
    const { tmpdir } = await import('node:os');
    const dir = mkdtempSync(join(tmpdir(), 'cli-grant-keys-'));
    try {
      const file = join(dir, 'keys.json');
      const cli = new CliHarness({});
      expect(await cli.run([command, 'rotate', '--file', file])).toBe(ExitCode.ok);
      expect(await cli.run([command, 'rotate', '--file', file])).toBe(ExitCode.ok);
      const keys = (JSON.parse(readFileSync(file, 'utf8')) as { keys: { kid: string; d: string }[] }).keys;
      expect(keys).toHaveLength(2);
      expect(keys[1]!.kid.startsWith(command.replace('-keys', ''))).toBe(true);
      expect(cli.out[1]).toContain(`added signing key ${keys[1]!.kid}`);
      expect(cli.calls).toEqual([]);
      expect(await cli.run([command, 'spin'])).toBe(ExitCode.usage);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('bearer tokens', () => {
  it('calls with --token (or APPROVALS_TOKEN) instead of a demo key, so --as is not needed', async () => {
    const cli = new CliHarness({ castVote: async () => ({ accepted: true, rejectionReason: '', detail: '', status: 'APPROVED' }) }, { env: { APPROVALS_TOKEN: 'eyJ.env.sig' } });
    expect(await cli.run(['approve', 'act-1'])).toBe(ExitCode.ok);
    expect(await cli.run(['--token', 'eyJ.flag.sig', 'approve', 'act-2'])).toBe(ExitCode.ok);
    expect(cli.calls.map((call) => call.apiKey)).toEqual(['bearer:eyJ.env.sig', 'bearer:eyJ.flag.sig']);
  });
});

import * as grpc from '@grpc/grpc-js';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AuditServiceHandlers, DecisionServiceHandlers, IntakeServiceHandlers, RequestActionRequest__Output } from '@approvals/contracts';
import { API_KEY_METADATA, loadApprovalsPackage } from '@approvals/client';
import { runCli } from './cli';
import { ExitCode } from './errors';
import { testDirectory } from './testing/cli-harness';
import { actionView } from './testing/fixtures';

// The CLI end to end over real gRPC: its own client, a grpc-js server with a few fake handlers.
describe('approvals CLI against a grpc-js server', () => {
  const received: { method: string; apiKey: string[]; request: unknown }[] = [];
  let server: grpc.Server;
  let address: string;
  let dir: string;
  let directoryFile: string;

  const record = (method: string, call: { metadata: grpc.Metadata; request: unknown }) =>
    received.push({ method, apiKey: call.metadata.get(API_KEY_METADATA).map(String), request: call.request });

  const intake: Partial<IntakeServiceHandlers> = {
    RequestAction: (call, callback) => {
      record('RequestAction', call);
      if (call.request.action === 'db.drop') {
        callback({ code: grpc.status.INVALID_ARGUMENT, details: 'action: db.drop is not a known action' });
        return;
      }
      callback(null, { actionId: 'act-42', status: 'AWAITING_APPROVAL', created: true });
    },
    AwaitDecision: (call, callback) => {
      record('AwaitDecision', call);
      callback(null, { decided: true, action: actionView({ actionId: call.request.actionId, status: 'APPROVED', reason: 'approved by alice', revision: '4' }) });
    },
    WatchAction: (call) => {
      record('WatchAction', call);
      call.write(actionView({ actionId: call.request.actionId, revision: '2' }));
      call.write(actionView({ actionId: call.request.actionId, status: 'DENIED', reason: 'denied by bob', revision: '3' }));
      call.end();
    },
  };
  const decisions: Partial<DecisionServiceHandlers> = {
    CastVote: (call, callback) => {
      record('CastVote', call);
      callback(null, { accepted: false, rejectionReason: 'SELF_APPROVAL', detail: 'alice asked for this action', status: 'AWAITING_APPROVAL' });
    },
  };
  const audit: Partial<AuditServiceHandlers> = {
    GetTimeline: (call, callback) => {
      record('GetTimeline', call);
      callback(null, {
        actionId: call.request.actionId,
        status: 'APPROVED',
        entries: [
          { position: 9007199254740993n.toString(), revision: 0, type: 'ActionRequested', occurredAt: '2025-03-01T08:59:58.000Z', actor: 'agent-reporting', summary: 'asks to db.export', traceId: 'abc123' },
          { position: 17, revision: 1, type: 'ActionApproved', occurredAt: '2025-03-01T09:01:00.000Z', actor: 'alice', summary: 'approved', traceId: 'abc123' },
        ],
      });
    },
  };

  function run(argv: string[]) {
    const out: string[] = [];
    const err: string[] = [];
    const code = runCli([...argv, '--address', address, '--directory', directoryFile], {
      io: { out: (text) => out.push(text), err: (text) => err.push(text) },
      env: {},
      now: () => new Date('2025-03-01T09:00:00.000Z'),
    });
    return code.then((exit) => ({ exit, out: out.join('\n'), err: err.join('\n') }));
  }

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'approvals-cli-'));
    directoryFile = join(dir, 'directory.json');
    writeFileSync(directoryFile, JSON.stringify(testDirectory));
    const pkg = loadApprovalsPackage();
    server = new grpc.Server();
    server.addService(pkg.IntakeService.service, intake as grpc.UntypedServiceImplementation);
    server.addService(pkg.DecisionService.service, decisions as grpc.UntypedServiceImplementation);
    server.addService(pkg.AuditService.service, audit as grpc.UntypedServiceImplementation);
    const port = await new Promise<number>((resolve, reject) =>
      server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (error, bound) => (error ? reject(error) : resolve(bound))),
    );
    address = `127.0.0.1:${port}`;
  });

  beforeEach(() => {
    received.length = 0;
  });

  afterAll(() => {
    server.forceShutdown();
    rmSync(dir, { recursive: true, force: true });
  });

  it('requests as the agent (x-api-key from the directory) and waits for the decision', async () => {
    const result = await run([
      'request', '--agent', 'agent-reporting', '--action', 'db.export', '--resource', 'dataset:customers', '--env', 'prod',
      '--param', 'rows=5000', '--key', 'k-1', '--wait', '3',
    ]);

    expect(result.exit).toBe(ExitCode.ok);
    expect(received.map((r) => [r.method, r.apiKey])).toEqual([
      ['RequestAction', ['demo-only-agent-reporting-key']],
      ['AwaitDecision', ['demo-only-agent-reporting-key']],
    ]);
    expect(received[0]?.request as RequestActionRequest__Output).toMatchObject({
      action: 'db.export',
      resource: { kind: 'dataset', id: 'customers' },
      environment: 'prod',
      parametersJson: '{"rows":5000}',
      idempotencyKey: 'k-1',
    });
    expect(received[1]?.request).toEqual({ actionId: 'act-42', timeoutMs: 3000 });
    expect(result.out).toContain('action id        act-42\nstatus           AWAITING_APPROVAL\ncreated          yes');
    expect(result.out).toContain('status           APPROVED');
    expect(result.out).toContain('revision         4');
  });

  it('prints a timeline, uint64 positions intact', async () => {
    const result = await run(['timeline', 'act-42', '--as', 'alice']);

    expect(result.exit).toBe(ExitCode.ok);
    expect(received.map((r) => [r.method, r.apiKey, r.request])).toEqual([['GetTimeline', ['demo-only-alice-key'], { actionId: 'act-42' }]]);
    expect(result.out).toBe(
      [
        'action act-42  status APPROVED  2 events',
        '             POS  REV  OCCURRED AT               TYPE             ACTOR            SUMMARY            TRACE ID',
        '9007199254740993    0  2025-03-01T08:59:58.000Z  ActionRequested  agent-reporting  asks to db.export  abc123',
        '              17    1  2025-03-01T09:01:00.000Z  ActionApproved   alice            approved           abc123',
      ].join('\n'),
    );
  });

  it('watches a server stream to the end', async () => {
    const result = await run(['watch', 'act-42', '--json']);

    expect(result.exit).toBe(ExitCode.negative);
    expect(result.out.split('\n').map((line) => JSON.parse(line) as { status: string; revision: string })).toMatchObject([
      { status: 'AWAITING_APPROVAL', revision: '2' },
      { status: 'DENIED', revision: '3' },
    ]);
  });

  it('reports a rejected vote', async () => {
    const result = await run(['approve', 'act-42', '--as', 'alice']);

    expect(result.exit).toBe(ExitCode.negative);
    expect(received[0]).toMatchObject({ method: 'CastVote', apiKey: ['demo-only-alice-key'], request: { actionId: 'act-42', decision: 'APPROVE' } });
    expect(result.out).toBe('vote rejected: SELF_APPROVAL: alice asked for this action\naction act-42 is AWAITING_APPROVAL');
  });

  it('prints a gRPC error as status and details, exit code 1', async () => {
    const result = await run(['request', '--agent', 'agent-reporting', '--action', 'db.drop', '--resource', 'dataset:customers', '--env', 'prod']);

    expect(result).toEqual({ exit: ExitCode.failure, out: '', err: 'error: INVALID_ARGUMENT: action: db.drop is not a known action' });
  });

  it('says UNIMPLEMENTED for a method the server lacks', async () => {
    const result = await run(['pending', '--as', 'alice']);

    expect(result.exit).toBe(ExitCode.failure);
    expect(result.err).toMatch(/^error: UNIMPLEMENTED: /);
  });

  it('hints at npm start when nothing listens', async () => {
    const closed = new grpc.Server();
    const port = await new Promise<number>((resolve, reject) =>
      closed.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (error, bound) => (error ? reject(error) : resolve(bound))),
    );
    closed.forceShutdown();
    const out: string[] = [];
    const err: string[] = [];

    const exit = await runCli(['get', 'act-42', '--address', `127.0.0.1:${port}`], { io: { out: (t) => out.push(t), err: (t) => err.push(t) }, env: {} });

    expect(exit).toBe(ExitCode.failure);
    expect(err[0]).toMatch(/^error: UNAVAILABLE: /);
    expect(err[1]).toBe(`hint: no approvals server answers at 127.0.0.1:${port}; start it with npm start (or use --address / APPROVALS_ADDRESS)`);
  });
});

import * as grpc from '@grpc/grpc-js';
import type { ActionView, IntakeServiceHandlers } from '@approvals/contracts';
import { API_KEY_METADATA, createApprovalsClient, loadApprovalsPackage, type ApprovalsClient } from './client';
import { collect, isServiceError, serverStream, statusName, unary } from './calls';

function view(actionId: string, status: ActionView['status'], revision: number): ActionView {
  return { actionId, status, agentId: 'agent-reporting', action: 'db.export', resource: { kind: 'dataset', id: 'customers' }, revision };
}

async function startServer(handlers: Partial<IntakeServiceHandlers>): Promise<{ address: string; server: grpc.Server }> {
  const server = new grpc.Server();
  server.addService(loadApprovalsPackage().IntakeService.service, handlers as grpc.UntypedServiceImplementation);
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (error, bound) => (error ? reject(error) : resolve(bound))),
  );
  return { address: `127.0.0.1:${port}`, server };
}

describe('createApprovalsClient against a real grpc-js server', () => {
  const seenKeys: string[][] = [];
  let server: grpc.Server;
  let address: string;
  let client: ApprovalsClient;

  beforeAll(async () => {
    ({ server, address } = await startServer({
      GetAction: (call, callback) => {
        seenKeys.push(call.metadata.get(API_KEY_METADATA).map(String));
        if (call.request.actionId === 'missing') {
          callback({ code: grpc.status.NOT_FOUND, details: 'action missing not found' });
          return;
        }
        callback(null, view(call.request.actionId, 'AWAITING_APPROVAL', 3));
      },
      WatchAction: (call) => {
        seenKeys.push(call.metadata.get(API_KEY_METADATA).map(String));
        call.write(view(call.request.actionId, 'AWAITING_APPROVAL', 2));
        call.write(view(call.request.actionId, 'APPROVED', 4));
        call.end();
      },
    }));
  });

  beforeEach(() => {
    seenKeys.length = 0;
    client = createApprovalsClient({ address, apiKey: 'demo-only-agent-test-1234' });
  });

  afterEach(() => client.close());
  afterAll(() => server.forceShutdown());

  it('sends the api key as x-api-key and decodes enums and uint64 as strings', async () => {
    const action = await unary(client.intake, 'GetAction', { actionId: 'a-1' });

    expect(seenKeys).toEqual([['demo-only-agent-test-1234']]);
    expect(action.actionId).toBe('a-1');
    expect(action.status).toBe('AWAITING_APPROVAL');
    expect(action.revision).toBe('3');
    expect(action.resource).toEqual({ kind: 'dataset', id: 'customers' });
    expect(action.grant).toBeNull();
    expect(action.reason).toBe('');
  });

  it('keeps an x-api-key that the call sets itself', async () => {
    const metadata = new grpc.Metadata();
    metadata.set(API_KEY_METADATA, 'demo-only-per-call-key');

    await unary(client.intake, 'GetAction', { actionId: 'a-1' }, metadata);

    expect(seenKeys).toEqual([['demo-only-per-call-key']]);
  });

  it('collects a server stream with the key on it', async () => {
    const views = await collect(serverStream(client.intake, 'WatchAction', { actionId: 'a-2' }));

    expect(views.map((v) => [v.status, v.revision])).toEqual([
      ['AWAITING_APPROVAL', '2'],
      ['APPROVED', '4'],
    ]);
    expect(seenKeys).toEqual([['demo-only-agent-test-1234']]);
  });

  it('rejects with a ServiceError that carries the status', async () => {
    const error: unknown = await unary(client.intake, 'GetAction', { actionId: 'missing' }).catch((e: unknown) => e);

    expect(isServiceError(error)).toBe(true);
    if (!isServiceError(error)) return;
    expect(statusName(error.code)).toBe('NOT_FOUND');
    expect(error.details).toBe('action missing not found');
  });

  it('answers UNIMPLEMENTED for a method the server lacks', async () => {
    const error: unknown = await unary(client.intake, 'CancelAction', { actionId: 'a-1' }).catch((e: unknown) => e);

    expect(isServiceError(error) && statusName(error.code)).toBe('UNIMPLEMENTED');
  });

  it('sends no key when none is configured', async () => {
    const anonymous = createApprovalsClient({ address });
    try {
      await unary(anonymous.intake, 'GetAction', { actionId: 'a-1' });
    } finally {
      anonymous.close();
    }

    expect(seenKeys).toEqual([[]]);
  });
});

describe('createApprovalsClient without a server', () => {
  it('fails fast with UNAVAILABLE', async () => {
    const { server, address } = await startServer({});
    server.forceShutdown();
    const client = createApprovalsClient({ address, deadlineMs: 5_000 });
    try {
      const error: unknown = await unary(client.audit, 'GetTimeline', { actionId: 'a-1' }).catch((e: unknown) => e);

      expect(isServiceError(error) && statusName(error.code)).toBe('UNAVAILABLE');
    } finally {
      client.close();
    }
  });

  it('applies the default deadline to unary calls', async () => {
    const { server, address } = await startServer({ GetAction: () => undefined });
    const client = createApprovalsClient({ address, deadlineMs: 200 });
    try {
      const error: unknown = await unary(client.intake, 'GetAction', { actionId: 'a-1' }).catch((e: unknown) => e);

      expect(isServiceError(error) && statusName(error.code)).toBe('DEADLINE_EXCEEDED');
    } finally {
      client.close();
      server.forceShutdown();
    }
  });
});

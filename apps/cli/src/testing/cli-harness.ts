import type { ApprovalsApi } from '../api';
import { runCli, type CliDeps, type CliEnv } from '../cli';

/** A small directory file for tests: two agents and three people with demo keys. */
export const testDirectory = {
  groups: [{ id: 'data-owners' }],
  humans: [
    { id: 'alice', name: 'Alice', groups: ['data-owners'], apiKey: 'demo-only-alice-key' },
    { id: 'bob', name: 'Bob', groups: ['data-owners'], apiKey: 'demo-only-bob-key' },
    { id: 'nokey', name: 'No Key', groups: [] },
  ],
  agents: [
    { id: 'agent-reporting', owner: 'olivia', apiKey: 'demo-only-agent-reporting-key' },
    { id: 'agent-keyless', owner: 'olivia' },
  ],
};

export interface RecordedCall {
  method: keyof ApprovalsApi;
  apiKey: string | undefined;
  request: unknown;
}

/** Runs the CLI in memory: captured output, a fake API that records each call, a fixed clock and key. */
export class CliHarness {
  readonly out: string[] = [];
  readonly err: string[] = [];
  readonly calls: RecordedCall[] = [];
  closed = 0;

  constructor(
    private readonly api: Partial<ApprovalsApi>,
    private readonly options: { env?: CliEnv; directory?: unknown; connect?: CliDeps['connect'] } = {},
  ) {}

  /** stdout as one string. */
  get stdout(): string {
    return this.out.join('\n');
  }

  get stderr(): string {
    return this.err.join('\n');
  }

  run(argv: string[]): Promise<number> {
    return runCli(argv, {
      io: { out: (text) => this.out.push(text), err: (text) => this.err.push(text) },
      env: this.options.env ?? {},
      cwd: '/nowhere',
      readFile: (path) => {
        if (this.options.directory === undefined && path.endsWith('missing.json')) throw Object.assign(new Error('ENOENT'), { code: 'ENOENT' });
        return JSON.stringify(this.options.directory ?? testDirectory);
      },
      connect: this.options.connect ?? ((options) => this.fake(options.bearerToken ? `bearer:${options.bearerToken}` : options.apiKey)),
      now: () => new Date('2025-03-01T09:00:00.000Z'),
      newIdempotencyKey: () => 'key-1',
    });
  }

  private fake(apiKey: string | undefined): ApprovalsApi {
    const call = <K extends Exclude<keyof ApprovalsApi, 'close'>>(method: K) =>
      ((...args: Parameters<ApprovalsApi[K]>) => {
        this.calls.push({ method, apiKey, request: args[0] });
        const implementation = this.api[method] as ((...a: Parameters<ApprovalsApi[K]>) => ReturnType<ApprovalsApi[K]>) | undefined;
        if (!implementation) throw new Error(`unexpected call ${method}`);
        return implementation(...args);
      }) as ApprovalsApi[K];
    return {
      requestAction: call('requestAction'),
      getAction: call('getAction'),
      watchAction: call('watchAction'),
      awaitDecision: call('awaitDecision'),
      cancelAction: call('cancelAction'),
      castVote: call('castVote'),
      listPending: call('listPending'),
      revokeStandingApproval: call('revokeStandingApproval'),
      invokeBreakGlass: call('invokeBreakGlass'),
      reviewBreakGlass: call('reviewBreakGlass'),
      getTimeline: call('getTimeline'),
      searchActions: call('searchActions'),
      getPolicyHistory: call('getPolicyHistory'),
      getInclusionProof: call('getInclusionProof'),
      getConsistencyProof: call('getConsistencyProof'),
      close: () => {
        this.closed += 1;
      },
    };
  }
}

import { execFile } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { promisify } from 'node:util';
import { join } from 'node:path';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { unary } from '@approvals/client';
import type { TestSystem } from '@approvals/testing';
import { modes, startSystem } from '@approvals/testing';
import { clientAs, policiesWithTtl } from './support';
import { actionIdOf, callTool, cli, gatewayConfig, progressOnTheWire, scratchFolder, stdioClient, textOf, until } from './mcp-support';

jest.setTimeout(120_000);

// The MCP approval gateway as an agent's MCP client meets it: a real MCP client (the official
// SDK's Client) talks to the gateway over stdio; the gateway talks to the reference file-system
// and everything servers and to the approvals service, in both modes.
describe.each(modes)('%s mode: the MCP approval gateway over stdio', (mode) => {
  let system: TestSystem;
  let folder: { root: string; scratch: string };
  let config: string;
  let client: Client;

  beforeAll(async () => {
    system = await startSystem(mode);
    folder = scratchFolder();
    config = gatewayConfig(folder.root, system.addresses, folder.scratch);
    client = await stdioClient(config);
  });
  afterAll(async () => {
    await client?.close();
    await system?.dispose();
    if (folder) rmSync(folder.root, { recursive: true, force: true });
  });

  const view = async (actionId: string) => {
    const agent = clientAs(system.addresses, 'agent-mcp');
    try {
      return await unary(agent.intake, 'GetAction', { actionId });
    } finally {
      agent.close();
    }
  };

  it('lists the upstream servers’ tools, namespaced', async () => {
    const names = (await client.listTools()).tools.map((tool) => tool.name);
    expect(names).toEqual(expect.arrayContaining(['fs__read_text_file', 'fs__write_file', 'fs__move_file', 'everything__echo', 'everything__get-sum']));
  });

  it('passes an allowed call through, and records it in the ledger as run', async () => {
    const result = await callTool(client, 'fs__read_text_file', { path: join(folder.scratch, 'notes.txt') });
    expect(result.isError).toBeFalsy();
    expect(textOf(result)).toContain('hello from the scratch folder');
    // The result goes to the client first; the execution is recorded right after.
    const recorded = await executionRecorded(actionIdOf(result));
    expect(recorded).toMatchObject({ status: 'APPROVED', action: 'mcp.fs.read_text_file', agentId: 'agent-mcp', execution: { status: 'SUCCEEDED' } });
    expect(JSON.parse(recorded.parametersJson)).toEqual({ path: join(folder.scratch, 'notes.txt') });
    expect(recorded.justification).toContain('e2e-client 1.0.0');
  });

  it('passes the upstream’s own progress on while an allowed long-running tool runs', async () => {
    const before = progressOnTheWire(client).length;
    const result = await callTool(client, 'everything__trigger-long-running-operation', { duration: 1, steps: 3 }, { progress: [] });
    expect(result.isError).toBeFalsy();
    expect(progressOnTheWire(client).slice(before).filter((message) => message.startsWith('running: '))).toEqual(['running: 1 of 3', 'running: 2 of 3', 'running: 3 of 3']);
  });

  it('returns the policy’s reasons for a denied call, and the upstream is never called', async () => {
    const outside = join(folder.root, 'outside.txt');
    const result = await callTool(client, 'fs__write_file', { path: outside, content: 'should never be written' });
    expect(result.isError).toBe(true);
    expect(textOf(result)).toContain('agents may change files only inside the mcp-scratch folder');
    expect(existsSync(outside)).toBe(false);
    expect((await view(actionIdOf(result))).status).toBe('DENIED');

    const env = await callTool(client, 'everything__get-env', {});
    expect(env).toMatchObject({ isError: true });
    expect(textOf(env)).toContain("the server's environment holds secrets");
  });

  it('holds a call that needs approval, with progress, until an approver approves it with the CLI; then writes exactly the approved content', async () => {
    const file = join(folder.scratch, 'approved.txt');
    const progress: string[] = [];
    const call = callTool(client, 'fs__write_file', { path: file, content: 'approved content' }, { progress });
    const waiting = await until(() => progress.find((message) => message.startsWith('waiting for one approver from data-owners')));
    expect(waiting).toMatch(/^waiting for one approver from data-owners, \d+ min left \(action \S+\)$/);
    expect(existsSync(file)).toBe(false);
    const actionId = /\(action (\S+)\)$/.exec(waiting)![1]!;

    await cli(system.addresses, 'approve', actionId, '--as', 'alice');
    const result = await call;
    // The text, not only the flag: a refusal says why.
    expect(result.isError ? textOf(result) : 'no error').toBe('no error');
    expect(readFileSync(file, 'utf8')).toBe('approved content');
    expect(await executionRecorded(actionId)).toMatchObject({ status: 'APPROVED', approvedVia: 'APPROVERS', execution: { status: 'SUCCEEDED' }, grant: { redeemedAt: expect.any(String) } });
  });

  it('makes a retry with other arguments a new request, and a client cancellation cancels it', async () => {
    const file = join(folder.scratch, 'cancelled.txt');
    const first: string[] = [];
    const controller = new AbortController();
    const call = callTool(client, 'fs__write_file', { path: file, content: 'one' }, { progress: first, signal: controller.signal });
    const firstId = /\(action (\S+)\)$/.exec(await until(() => first.find((m) => m.startsWith('waiting'))))![1]!;
    controller.abort();
    await expect(call).rejects.toThrow();
    expect((await untilStatus(firstId, 'CANCELLED')).status).toBe('CANCELLED');

    const second: string[] = [];
    const other = new AbortController();
    const retry = callTool(client, 'fs__write_file', { path: file, content: 'two' }, { progress: second, signal: other.signal });
    const secondId = /\(action (\S+)\)$/.exec(await until(() => second.find((m) => m.startsWith('waiting'))))![1]!;
    expect(secondId).not.toBe(firstId);
    other.abort();
    await expect(retry).rejects.toThrow();
    expect((await untilStatus(secondId, 'CANCELLED')).status).toBe('CANCELLED');
    expect(existsSync(file)).toBe(false);
  });

  it('loses nothing when the gateway restarts while a call waits: the same call finds its action, approved meanwhile, and runs it once', async () => {
    const file = join(folder.scratch, 'after-restart.txt');
    const progress: string[] = [];
    const call = callTool(client, 'fs__write_file', { path: file, content: 'written once' }, { progress });
    const actionId = /\(action (\S+)\)$/.exec(await until(() => progress.find((m) => m.startsWith('waiting'))))![1]!;
    // The client goes away with its gateway (a desktop client restarting it), then the approver approves.
    await client.close();
    await expect(call).rejects.toThrow();
    await cli(system.addresses, 'approve', actionId, '--as', 'bob');

    client = await stdioClient(config);
    const result = await callTool(client, 'fs__write_file', { path: file, content: 'written once' });
    expect(result.isError).toBeFalsy();
    expect(actionIdOf(result)).toBe(actionId);
    expect(readFileSync(file, 'utf8')).toBe('written once');
    expect(await executionRecorded(actionId)).toMatchObject({ status: 'APPROVED', execution: { status: 'SUCCEEDED' } });

    // The same call again is a new request (the first was used up), not a replay of the old grant.
    const again = callTool(client, 'fs__write_file', { path: file, content: 'written once' }, { progress: (progress.length = 0, progress) });
    const nextId = /\(action (\S+)\)$/.exec(await until(() => progress.find((m) => m.startsWith('waiting'))))![1]!;
    expect(nextId).not.toBe(actionId);
    await cli(system.addresses, 'deny', nextId, '--as', 'alice', '--reason', 'once is enough');
    const denied = await again;
    expect(denied.isError).toBe(true);
    expect(textOf(denied)).toContain('alice: once is enough');
  });

  it('survives an upstream server crash: the next call starts it again', async () => {
    const notes = join(folder.scratch, 'notes.txt');
    expect((await callTool(client, 'fs__read_text_file', { path: notes })).isError).toBeFalsy();
    // The file-system server is the gateway's child with the scratch folder as its argument.
    await promisify(execFile)('pkill', ['-KILL', '-f', `server-filesystem/dist/index.js ${folder.scratch}`]);
    // A call racing the crash fails, naming the upstream (and is recorded FAILED); the next one starts it again.
    const afterCrash = await callTool(client, 'fs__read_text_file', { path: notes });
    if (afterCrash.isError) expect(textOf(afterCrash)).toMatch(/"fs" failed while running it|"fs" is unavailable/);
    const result = afterCrash.isError ? await callTool(client, 'fs__read_text_file', { path: notes }) : afterCrash;
    expect(result.isError).toBeFalsy();
    expect(textOf(result)).toContain('hello from the scratch folder');
  });

  it('forwards nothing while the ledger is down, and works again once it is back', async () => {
    const file = join(folder.scratch, 'while-down.txt');
    await system.kill();
    try {
      const result = await callTool(client, 'fs__write_file', { path: file, content: 'must not be written' });
      expect(result.isError).toBe(true);
      expect(textOf(result)).toMatch(/the approvals service cannot be reached, so the tool was not called/);
      const read = await callTool(client, 'fs__read_text_file', { path: join(folder.scratch, 'notes.txt') });
      expect(read.isError).toBe(true);
      expect(existsSync(file)).toBe(false);
    } finally {
      await system.spawn();
    }
    const read = await callTool(client, 'fs__read_text_file', { path: join(folder.scratch, 'notes.txt') });
    expect(read.isError ? textOf(read) : 'ok').toBe('ok');
  });

  /** The action's view once its execution is recorded (bounded): the gateway reports it after answering. */
  async function executionRecorded(actionId: string) {
    const deadline = Date.now() + 10_000;
    for (;;) {
      const current = await view(actionId);
      if (current.execution || Date.now() > deadline) return current;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  async function untilStatus(actionId: string, status: string) {
    const deadline = Date.now() + 20_000;
    for (;;) {
      const current = await view(actionId);
      if (current.status === status || Date.now() > deadline) return current;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
});

describe.each(modes)('%s mode: an MCP call nobody approves in time', (mode) => {
  it('ends expired with a clear tool error, and the upstream is never called', async () => {
    const system = await startSystem(mode, { env: { APPROVALS_POLICY_DIR: policiesWithTtl(2) } });
    const folder = scratchFolder();
    const client = await stdioClient(gatewayConfig(folder.root, system.addresses, folder.scratch));
    try {
      const file = join(folder.scratch, 'late.txt');
      const result = await callTool(client, 'fs__write_file', { path: file, content: 'too late' });
      expect(result.isError).toBe(true);
      expect(textOf(result)).toMatch(/nobody approved it in time \(action \S+ expired\)/);
      expect(result._meta).toMatchObject({ 'approvals/status': 'EXPIRED' });
      expect(existsSync(file)).toBe(false);
    } finally {
      await client.close();
      await system.dispose();
      rmSync(folder.root, { recursive: true, force: true });
    }
  });
});

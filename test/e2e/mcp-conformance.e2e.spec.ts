import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { ServerProcess, TestSystem } from '@approvals/testing';
import { repoRoot, startSystem } from '@approvals/testing';
import { demoKey } from './support';
import { httpGateway, upstreamBin } from './mcp-support';

jest.setTimeout(180_000);

/**
 * The official MCP conformance suite (@modelcontextprotocol/conformance) against the gateway over
 * Streamable HTTP, for the scenarios that apply to it. The gateway serves tools only, so the
 * resources, prompts, logging and completion scenarios do not apply; the tools-call scenarios
 * call the suite's own reference tools by name (test_simple_text, test_image_content...), which
 * no upstream here provides (docs/mcp.md lists what runs and why).
 */
const applicable = ['server-initialize', 'ping', 'tools-list', 'server-sse-multiple-streams', 'dns-rebinding-protection'];

describe('the MCP conformance suite against the gateway', () => {
  let system: TestSystem;
  let dir: string;
  let gateway: ServerProcess & { mcpUrl: string };

  beforeAll(async () => {
    system = await startSystem('embedded');
    dir = mkdtempSync(join(tmpdir(), 'mcp-conformance-'));
    const config = join(dir, 'gateway.json');
    writeFileSync(
      config,
      JSON.stringify({
        approvals: { address: system.addresses, apiKey: demoKey('agent-mcp') },
        upstreams: { everything: { command: process.execPath, args: [upstreamBin('server-everything')] } },
      }),
    );
    gateway = await httpGateway(config);
  });
  afterAll(async () => {
    await gateway?.kill();
    await system?.dispose();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it.each(applicable)('passes %s', async (scenario) => {
    const cli = join(repoRoot(), 'node_modules', '@modelcontextprotocol', 'conformance', 'dist', 'index.js');
    const { stdout } = await promisify(execFile)(process.execPath, [cli, 'server', '--url', gateway.mcpUrl, '--scenario', scenario], { cwd: dir, timeout: 120_000 }).catch(
      (error: { stdout?: string; stderr?: string }) => ({ stdout: `${error.stdout ?? ''}${error.stderr ?? ''}` }),
    );
    const [, passed, total, failed] = /Passed: (\d+)\/(\d+), (\d+) failed/.exec(stdout) ?? [];
    expect({ scenario, passed, failed, output: Number(total) > 0 && passed === total ? 'ok' : stdout }).toEqual({ scenario, passed: total, failed: '0', output: 'ok' });
  });
});

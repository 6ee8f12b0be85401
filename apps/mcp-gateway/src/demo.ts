import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { CallToolResultSchema } from '@modelcontextprotocol/sdk/types.js';
import { Approvals, ApprovalsError } from '@approvals/sdk';
import { textOf } from './tool-results';

/**
 * `npm run mcp-demo`: the gateway in front of the reference file-system MCP server on a scratch
 * folder, against the running demo (`npm start`). It writes the gateway's configuration, prints
 * how to plug it into Claude Desktop or Claude Code, then acts as an agent: a read (allowed), a
 * move out of the folder (denied), a write (waits for an approver: approve it from another
 * terminal).
 */

const root = resolve(__dirname, '..', '..', '..', '..');
const address = process.env['APPROVALS_ADDRESS'] ?? '127.0.0.1:50051';
const agentKey = 'demo-only-agent-mcp-5c2e8b71';
const say = (text = '') => process.stdout.write(`${text}\n`);


async function main(): Promise<number> {
  // Is the approvals service there? (the agent's own key, from the demo directory)
  const probe = new Approvals({ address, apiKey: agentKey, retry: { attempts: 1 }, deadlineMs: 3_000 });
  try {
    await probe.getAction('act_probe');
  } catch (error) {
    if (error instanceof ApprovalsError && (error.code === 'UNAVAILABLE' || error.code === 'DEADLINE_EXCEEDED')) {
      say(`No approvals service answers at ${address}. Start it first, in another terminal: npm start`);
      return 1;
    }
  } finally {
    probe.close();
  }

  const home = join(root, '.data', 'mcp-demo');
  const scratch = join(home, 'mcp-scratch');
  mkdirSync(scratch, { recursive: true });
  if (!existsSync(join(scratch, 'hello.txt'))) writeFileSync(join(scratch, 'hello.txt'), 'Hello from the scratch folder.\n');
  const node = process.execPath;
  const filesystem = join(root, 'node_modules', '@modelcontextprotocol', 'server-filesystem', 'dist', 'index.js');
  const gateway = join(root, 'dist', 'apps', 'mcp-gateway', 'src', 'main.js');
  const configFile = join(home, 'gateway.json');
  writeFileSync(
    configFile,
    `${JSON.stringify({ approvals: { address, apiKey: agentKey }, upstreams: { fs: { command: node, args: [filesystem, scratch] } } }, null, 2)}\n`,
  );

  say(`The gateway's configuration: ${configFile}`);
  say(`(the file-system server on ${scratch}, as agent-mcp; the demo policies are policies/demo/mcp.cedar)`);
  say();
  say('To put it in front of Claude Desktop, add to claude_desktop_config.json:');
  say(JSON.stringify({ mcpServers: { 'approvals-gateway': { command: node, args: [gateway, '--config', configFile] } } }, null, 2));
  say();
  say('Claude Code:');
  say(`  claude mcp add approvals-gateway -- ${node} ${gateway} --config ${configFile}`);
  say();
  say('Now as an agent would, through the gateway:');

  const client = new Client({ name: 'mcp-demo', version: '1.0.0' });
  await client.connect(new StdioClientTransport({ command: node, args: [gateway, '--config', configFile, '--log-level', 'warn'] }));
  const call = (name: string, args: Record<string, unknown>, onprogress?: (message: string) => void) =>
    client.callTool({ name, arguments: args }, CallToolResultSchema, {
      timeout: 3_600_000,
      resetTimeoutOnProgress: true,
      ...(onprogress ? { onprogress: (p: { message?: string }) => onprogress(p.message ?? '') } : {}),
    }) as Promise<CallToolResult>;
  try {
    say();
    say(`1. fs__read_text_file ${join(scratch, 'hello.txt')}  (reading is allowed)`);
    say(`   -> ${textOf(await call('fs__read_text_file', { path: join(scratch, 'hello.txt') })).trim()}`);

    say();
    say('2. fs__move_file hello.txt out of the folder  (changes outside mcp-scratch are denied)');
    const moved = await call('fs__move_file', { source: join(scratch, 'hello.txt'), destination: join(home, 'hello.txt') });
    say(`   -> ${textOf(moved).split('\n').join('\n      ')}`);

    say();
    const target = join(scratch, `notes-${new Date().toISOString().slice(11, 19).replace(/:/g, '')}.txt`);
    say(`3. fs__write_file ${target}  (writing needs a data owner)`);
    let told = false;
    const written = await call('fs__write_file', { path: target, content: 'Written after a person approved it.\n' }, (message) => {
      const actionId = /\(action (\S+)\)$/.exec(message)?.[1];
      if (!told && actionId) {
        told = true;
        say(`   ${message}`);
        say('   Approve it from another terminal (or deny it: deny <id> --as alice --reason "..."):');
        say(`     npm run approvals -- approve ${actionId} --as alice`);
      }
    });
    say(`   -> ${written.isError ? textOf(written) : `written: ${readFileSync(target, 'utf8').trim()}`}`);
    say();
    say('Every step is in the ledger: npm run approvals -- timeline <action id> --as alice');
  } finally {
    await client.close();
  }
  return 0;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`mcp-demo: ${(error as Error).message}\n`);
    process.exit(1);
  },
);

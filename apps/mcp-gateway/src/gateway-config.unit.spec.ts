import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GatewayConfigError, loadGatewayConfig, parseGatewayConfig } from './config';
import { actionSegment, splitToolName, toActionRequest } from './tool-mapping';

const minimal = { approvals: { address: '127.0.0.1:50051', apiKey: 'k' }, upstreams: { fs: { command: 'mcp-server-filesystem', args: ['/tmp'] } } };

describe('gateway configuration', () => {
  it('fills the defaults', () => {
    const config = parseGatewayConfig(minimal);
    expect(config.request).toEqual({ environment: 'dev' });
    expect(config.http).toEqual({ host: '127.0.0.1', port: 8765 });
    expect(config.upstreams['fs']).toEqual({ command: 'mcp-server-filesystem', args: ['/tmp'], env: {} });
  });

  it('names every problem with its path', () => {
    const bad = () =>
      parseGatewayConfig({
        approvals: { address: '' },
        upstreams: { Bad_Name: { url: 'not a url' } },
        tools: { 'other.read': { action: 'x.y' } },
        surprise: true,
      });
    expect(bad).toThrow(GatewayConfigError);
    expect(bad).toThrow(/approvals\.address/);
    expect(bad).toThrow(/upstreams\.Bad_Name/);
    expect(bad).toThrow(/Unrecognized key.*surprise/);
    expect(() => parseGatewayConfig({ ...minimal, upstreams: {} })).toThrow(/name at least one upstream MCP server/);
    expect(() => parseGatewayConfig({ ...minimal, tools: { 'web.fetch': {} } })).toThrow(/tools\.web\.fetch: names no upstream "web"/);
    expect(() => parseGatewayConfig({ ...minimal, http: { auth: { issuer: 'i', audience: 'a' } } })).toThrow(/exactly one of jwksUrl and jwksFile/);
  });

  it('reads secrets from the environment, and refuses an unset one', () => {
    const dir = mkdtempSync(join(tmpdir(), 'gateway-config-'));
    try {
      const file = join(dir, 'gateway.json');
      writeFileSync(file, JSON.stringify({ ...minimal, approvals: { address: '127.0.0.1:50051', apiKey: '${AGENT_KEY}' } }));
      expect(loadGatewayConfig(file, { AGENT_KEY: 'secret' }).approvals.apiKey).toBe('secret');
      expect(() => loadGatewayConfig(file, {})).toThrow('$.approvals.apiKey uses ${AGENT_KEY}, but the environment variable AGENT_KEY is not set');
      writeFileSync(file, '{ not json');
      expect(() => loadGatewayConfig(file, {})).toThrow(/cannot read the gateway configuration/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('tool calls as ledger requests', () => {
  it('splits namespaced names and turns tool names into action segments', () => {
    expect(splitToolName('fs__read_file')).toEqual({ server: 'fs', tool: 'read_file' });
    expect(splitToolName('everything__get-sum')).toEqual({ server: 'everything', tool: 'get-sum' });
    expect(splitToolName('fs__')).toBeUndefined();
    expect(splitToolName('plain')).toBeUndefined();
    expect(actionSegment('longRunningOperation')).toBe('long_running_operation');
    expect(actionSegment('get-sum')).toBe('get-sum');
    expect(actionSegment('9lives.v2')).toBe('t9lives_v2');
  });

  it('maps by default to mcp.<server>.<tool> with the arguments as the parameters, exactly', () => {
    const args = { path: '/tmp/a', nested: { list: [1, 2] } };
    expect(toActionRequest(parseGatewayConfig(minimal), 'fs', 'readFile', args, { client: { name: 'claude-code', version: '2.1' } })).toEqual({
      model: 'claude-code',
      action: 'mcp.fs.read_file',
      resource: { kind: 'mcp-tool', id: 'fs/readFile' },
      environment: 'dev',
      dataClassification: undefined,
      onBehalfOf: undefined,
      parameters: args,
      justification: 'MCP tools/call "readFile" on "fs" from claude-code 2.1',
    });
  });

  it('maps by configuration, per server and per tool, filling {argument} templates', () => {
    const config = parseGatewayConfig({
      ...minimal,
      request: { environment: 'staging', model: 'gpt-5' },
      tools: {
        'fs.*': { resource: { kind: 'file', id: '{path}' }, dataClassification: 'internal' },
        'fs.write_file': { action: 'files.write', environment: 'prod' },
      },
    });
    const request = toActionRequest(config, 'fs', 'write_file', { path: '/srv/a.txt', content: 'x' }, { onBehalfOf: 'olivia' });
    expect(request).toMatchObject({ model: 'gpt-5', action: 'files.write', resource: { kind: 'file', id: '/srv/a.txt' }, environment: 'prod', dataClassification: 'internal', onBehalfOf: 'olivia' });
    expect(() => toActionRequest(config, 'fs', 'write_file', { content: 'x' }, {})).toThrow('resource.id needs the argument "path" (a string or number), which this call does not give');
    // An argument named like a prototype member is not one.
    expect(() => toActionRequest(config, 'fs', 'write_file', JSON.parse('{"__proto__": {"path": "/etc"}}'), {})).toThrow(/needs the argument "path"/);
  });
});

import { copyFileSync } from 'node:fs';
import { join } from 'node:path';
import { EmbeddedServer, repoRoot } from '@approvals/testing';
import { demoKey, installPackedSdk } from './packed-sdk';

jest.setTimeout(120_000);

// The framework adapters as a user gets them: the packed SDK's subpath exports, imported from an
// ES module beside the frameworks' real packages, each driven by the framework's own model
// seam (a scripted Model for the OpenAI Agents SDK, the AI SDK's MockLanguageModelV3, a scripted
// LangGraph node), against the real service. An allowed call runs with its arguments; a denied
// one never runs, and the model is told why.
describe('the SDK’s framework adapters against the real service', () => {
  let server: EmbeddedServer;
  let install: ReturnType<typeof installPackedSdk>;

  beforeAll(async () => {
    install = installPackedSdk(['@openai/agents', 'ai', '@langchain/core', '@langchain/langgraph', 'zod']);
    server = await EmbeddedServer.start();
  });
  afterAll(async () => {
    await server?.dispose();
    install?.dispose();
  });

  // Copied into the user's project, so that its imports resolve there (the packed SDK), not here.
  const fixture = async (name: string) => {
    copyFileSync(join(repoRoot(), 'test', 'sdk', 'fixtures', `${name}.mjs`), join(install.project, `${name}.mjs`));
    return JSON.parse(await install.runNode([`${name}.mjs`], { ADDRESS: server.grpcAddress, AGENT_KEY: demoKey('agent-ops') })) as {
      executed: string[];
      toolOutputs?: string[];
      finalOutput?: string;
    };
  };

  it('@approvals/sdk/openai-agents: tools whose approval the ledger decides', async () => {
    const result = await fixture('openai-agents');
    expect(result.executed).toEqual(['read customers']);
    expect(result.finalOutput).toContain('3 rows of customers');
    expect(result.finalOutput).toContain('The tool delete_cluster was not run: the policy denied it (agents may never delete infrastructure in prod)');
  });

  it('@approvals/sdk/ai: a Vercel AI SDK tool wrapper', async () => {
    const result = await fixture('ai');
    expect(result.executed).toEqual(['read customers']);
    expect(result.toolOutputs).toEqual(['3 rows of customers', expect.stringContaining('The tool deleteCluster was not run: the policy denied it (agents may never delete infrastructure in prod)')]);
  });

  it('@approvals/sdk/langgraph: a guarded ToolNode in a LangGraph graph', async () => {
    const result = await fixture('langgraph');
    expect(result.executed).toEqual(['read customers']);
    expect(result.toolOutputs).toEqual(['3 rows of customers', expect.stringContaining('The tool delete_cluster was not run: the policy denied it (agents may never delete infrastructure in prod)')]);
  });
});

import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findDemoPolicyDir } from '@approvals/policy-cedar';
import { DirectoryFileError, loadDirectory, parseDirectory } from './file-directory';

const demoFile = join(findDemoPolicyDir(__dirname), 'directory.json');
const demo = (): Record<string, unknown> & { humans: Record<string, unknown>[]; agents: Record<string, unknown>[] } =>
  JSON.parse(readFileSync(demoFile, 'utf8'));

function problemsOf(json: unknown): string[] {
  try {
    parseDirectory(json, 'test.json');
  } catch (error) {
    if (error instanceof DirectoryFileError) return error.problems;
    throw error;
  }
  throw new Error('expected the directory to be rejected');
}

describe('loadDirectory with the demo file', () => {
  const directory = loadDirectory(demoFile);

  it('finds humans, agents and group members', () => {
    expect(directory.findHuman('frank')).toMatchObject({ name: 'Frank Rossi', groups: ['data-owners', 'security'] });
    expect(directory.findAgent('agent-reporting')).toMatchObject({ owner: 'olivia' });
    expect(directory.findAgent('agent-ops')).toMatchObject({ owner: 'dave' });
    expect(directory.groupMembers('data-owners').map((human) => human.id)).toEqual(['alice', 'bob', 'frank']);
    expect(directory.groupMembers('security').map((human) => human.id)).toEqual(['carol', 'dave', 'erin', 'frank']);
    expect(directory.groupMembers('nobody')).toEqual([]);
    expect(directory.groups().map((group) => group.id)).toEqual(['data-owners', 'security', 'analysts', 'sre-oncall']);
    expect(directory.findHuman('agent-ops')).toBeUndefined();
  });

  it('marks every key as demo-only and authenticates agents and humans by key', () => {
    for (const holder of [...directory.agents(), ...directory.humans()]) expect(holder.apiKey).toMatch(/^demo-only-/);

    expect(directory.authenticate('demo-only-agent-ops-4b8d2f60')).toEqual({ kind: 'agent', id: 'agent-ops' });
    expect(directory.authenticate('demo-only-frank-3d8a1f64')).toEqual({ kind: 'human', id: 'frank' });
    expect(directory.authenticate('demo-only-agent-ops-4b8d2f61')).toBeUndefined();
    expect(directory.authenticate('')).toBeUndefined();
  });

  it('does not let callers change its contents', () => {
    expect(() => directory.findHuman('alice')?.groups.push('security')).toThrow(TypeError);
    directory.humans().pop();

    expect(directory.groupMembers('security').map((human) => human.id)).not.toContain('alice');
    expect(directory.humans()).toHaveLength(8);
  });
});

describe('directory validation', () => {
  it('names a human group that is not declared', () => {
    const json = demo();
    (json.humans[2] as { groups: string[] }).groups = ['security', 'secruity'];

    expect(problemsOf(json)).toEqual(['humans[2].groups[1]: unknown group "secruity" (declare it under "groups")']);
  });

  it('names an agent owner that is not a human', () => {
    const json = demo();
    json.agents[1]!['owner'] = 'agent-reporting';

    expect(problemsOf(json)).toEqual(['agents[1].owner: unknown owner "agent-reporting" (must be the id of a human)']);
  });

  it('rejects duplicate ids across humans and agents, and reused keys', () => {
    const json = demo();
    json.agents[0]!['id'] = 'alice';
    json.agents[1]!['apiKey'] = json.agents[0]!['apiKey'];
    json.humans[1]!['apiKey'] = json.humans[0]!['apiKey'];

    expect(problemsOf(json)).toEqual([
      'agents[0].id: duplicate id "alice" (already used by humans[0])',
      'humans[1].apiKey: apiKey is already used by humans[0]',
      'agents[1].apiKey: apiKey is already used by agents[0]',
    ]);
  });

  it('maps chat accounts to people, one person per account on each channel', () => {
    const json = demo();
    json.humans[0]!['slack'] = 'U024BE7LH';
    json.humans[0]!['teams'] = '6F1E2D3C-0000-4000-8000-00000000AB12';
    const directory = parseDirectory(json, 'test.json');
    expect(directory.findHumanByAccount('slack', 'U024BE7LH')?.id).toBe('alice');
    expect(directory.findHumanByAccount('slack', 'u024be7lh')).toBeUndefined();
    // Entra object ids are GUIDs: compared without regard to case.
    expect(directory.findHumanByAccount('teams', '6f1e2d3c-0000-4000-8000-00000000ab12')?.id).toBe('alice');
    expect(directory.findHumanByAccount('teams', '6F1E2D3C-0000-4000-8000-00000000AB12')?.id).toBe('alice');

    json.humans[1]!['slack'] = 'U024BE7LH';
    json.humans[2]!['teams'] = '6f1e2d3c-0000-4000-8000-00000000ab12';
    json.humans[3]!['teams'] = 'not-a-guid';
    expect(problemsOf(json)).toEqual([
      'humans[3].teams: teams must be a Microsoft Entra object id (a GUID)',
      'humans[1].slack: Slack user U024BE7LH is already mapped to alice',
      'humans[2].teams: Teams user 6f1e2d3c-0000-4000-8000-00000000ab12 is already mapped to alice',
    ]);
  });

  it('rejects keys that are not marked demo-only', () => {
    const json = demo();
    json.agents[0]!['apiKey'] = 'sk-live-123456789';
    json.humans[4]!['apiKey'] = 'erin';

    expect(problemsOf(json)).toEqual([
      expect.stringMatching(/^humans\[4\]\.apiKey: apiKey must start with "demo-only-"/),
      expect.stringMatching(/^agents\[0\]\.apiKey: apiKey must start with "demo-only-"/),
    ]);
  });

  it('names missing, mistyped and unknown fields', () => {
    const json = demo();
    delete json.humans[0]!['name'];
    json.humans[1]!['email'] = 'not-an-email';
    json.humans[3]!['group'] = ['security'];
    json.agents[0]!['id'] = 'Agent Reporting';

    const problems = problemsOf(json);

    expect(problems).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^humans\[0\]\.name: /),
        'humans[1].email: email must be an e-mail address',
        expect.stringMatching(/^humans\[3\]: .*"group"/),
        expect.stringMatching(/^agents\[0\]\.id: agent id must be lower-case letters/),
      ]),
    );
    expect(problems).toHaveLength(4);
  });

  it('names a missing top-level section', () => {
    const { agents: _agents, ...withoutAgents } = demo();

    expect(problemsOf(withoutAgents)).toEqual([expect.stringMatching(/^agents: /)]);
  });

  it('reports unreadable and malformed files with the file name', () => {
    const dir = mkdtempSync(join(tmpdir(), 'directory-'));
    const file = join(dir, 'directory.json');
    writeFileSync(file, '{ "groups": [ }');
    try {
      expect(() => loadDirectory(file)).toThrow(`invalid directory file ${file}:\n  - not valid JSON`);
      expect(() => loadDirectory(join(dir, 'missing.json'))).toThrow(/cannot read the file/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

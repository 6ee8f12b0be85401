import { z } from 'zod';
import { accountChannelKinds, channelKinds, type AccountChannelKind } from '@approvals/contracts';

const idPattern = /^[a-z0-9][a-z0-9._-]*$/;
const id = (what: string) =>
  z
    .string({ error: `${what} must be a string` })
    .regex(idPattern, { error: `${what} must be lower-case letters, digits, '.', '_' or '-', starting with a letter or digit` });

// Keys in a directory file are public demo keys; the prefix makes that obvious wherever they appear.
const demoApiKey = z
  .string()
  .regex(/^demo-only-[A-Za-z0-9_-]{8,}$/, {
    error: 'apiKey must start with "demo-only-" followed by at least 8 letters, digits, "-" or "_": directory keys are demo-only',
  })
  .optional();

const groupSchema = z.strictObject({
  id: id('group id'),
  description: z.string().optional(),
});

const humanSchema = z.strictObject({
  id: id('human id'),
  name: z.string().trim().min(1, { error: 'name must not be empty' }),
  email: z.email({ error: 'email must be an e-mail address' }).optional(),
  groups: z.array(id('group name')),
  ...accountFields(),
  apiKey: demoApiKey,
});

/** A person's account on each chat channel the directory maps (see channelKinds), in the form lookups compare. */
function accountFields() {
  const field = (kind: AccountChannelKind) => {
    const { pattern, error, caseInsensitive } = channelKinds[kind].account;
    const checked = z.string().regex(pattern, { error });
    return (caseInsensitive ? checked.transform((text) => text.toLowerCase()) : checked).optional();
  };
  // One field per kind of the table; the keys are exactly AccountChannelKind.
  return Object.fromEntries(accountChannelKinds.map((kind) => [kind, field(kind)])) as { [K in AccountChannelKind]: ReturnType<typeof field> };
}

const agentSchema = z.strictObject({
  id: id('agent id'),
  owner: id('owner (a human id)'),
  description: z.string().optional(),
  apiKey: demoApiKey,
});

/** Shape of a directory file (e.g. policies/demo/directory.json), with its cross-references checked. */
export const directoryFileSchema = z
  .strictObject({
    $comment: z.string().optional(),
    groups: z.array(groupSchema),
    humans: z.array(humanSchema),
    agents: z.array(agentSchema),
  })
  .superRefine((file, ctx) => {
    const issue = (path: (string | number)[], message: string) => ctx.addIssue({ code: 'custom', path, message });
    const firstSeen = new Map<string, string>();
    const claim = (identifier: string, path: (string | number)[], label: string) => {
      const previous = firstSeen.get(identifier);
      if (previous) issue(path, `duplicate id "${identifier}" (already used by ${previous})`);
      else firstSeen.set(identifier, label);
    };
    file.groups.forEach((group, index) => claim(`group:${group.id}`, ['groups', index, 'id'], `groups[${index}]`));
    // Humans and agents share one id space: votes and self-approval checks compare these ids.
    file.humans.forEach((human, index) => claim(human.id, ['humans', index, 'id'], `humans[${index}]`));
    file.agents.forEach((agent, index) => claim(agent.id, ['agents', index, 'id'], `agents[${index}]`));

    const groups = new Set(file.groups.map((group) => group.id));
    file.humans.forEach((human, index) =>
      human.groups.forEach((group, groupIndex) => {
        if (!groups.has(group)) issue(['humans', index, 'groups', groupIndex], `unknown group "${group}" (declare it under "groups")`);
      }),
    );
    const humans = new Set(file.humans.map((human) => human.id));
    file.agents.forEach((agent, index) => {
      if (!humans.has(agent.owner)) issue(['agents', index, 'owner'], `unknown owner "${agent.owner}" (must be the id of a human)`);
    });
    const keys = new Map<string, string>();
    const claimKey = (apiKey: string | undefined, section: 'humans' | 'agents', index: number) => {
      if (apiKey === undefined) return;
      const previous = keys.get(apiKey);
      if (previous !== undefined) issue([section, index, 'apiKey'], `apiKey is already used by ${previous}`);
      else keys.set(apiKey, `${section}[${index}]`);
    };
    file.humans.forEach((human, index) => claimKey(human.apiKey, 'humans', index));
    // One account maps to one person: otherwise a click would count for whoever comes first.
    for (const kind of accountChannelKinds) {
      const people = new Map<string, string>();
      file.humans.forEach((human, index) => {
        const account = human[kind];
        if (account === undefined) return;
        const previous = people.get(account);
        if (previous !== undefined) issue(['humans', index, kind], `${channelKinds[kind].label} user ${account} is already mapped to ${previous}`);
        else people.set(account, human.id);
      });
    }
    file.agents.forEach((agent, index) => claimKey(agent.apiKey, 'agents', index));
  });

/** A validated directory file. */
export type DirectoryFile = z.infer<typeof directoryFileSchema>;

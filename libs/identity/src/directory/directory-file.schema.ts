import { z } from 'zod';

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
  slack: z
    .string()
    .regex(/^[UW][A-Z0-9]{2,20}$/, { error: 'slack must be a Slack user id such as U024BE7LH' })
    .optional(),
  teams: z
    .string()
    .regex(/^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/, { error: 'teams must be a Microsoft Entra object id (a GUID)' })
    .transform((id) => id.toLowerCase())
    .optional(),
  apiKey: demoApiKey,
});

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
    const slackUsers = new Map<string, string>();
    file.humans.forEach((human, index) => {
      if (human.slack === undefined) return;
      const previous = slackUsers.get(human.slack);
      if (previous !== undefined) issue(['humans', index, 'slack'], `Slack user ${human.slack} is already mapped to ${previous}`);
      else slackUsers.set(human.slack, human.id);
    });
    file.agents.forEach((agent, index) => claimKey(agent.apiKey, 'agents', index));
  });

/** A validated directory file. */
export type DirectoryFile = z.infer<typeof directoryFileSchema>;

import type { Agent, Clock, CommandSender, Directory, Human, IdGenerator } from '@approvals/application';
import type { CommandName, CommandReply } from '@approvals/contracts';
import { normalizedAccount } from '@approvals/contracts';
import type { ActionRequest } from '@approvals/domain';


/** Fakes shared by the application layer's unit tests. */

export const T0 = '2025-03-01T09:00:00.000Z';

/** The instant `seconds` after T0. */
export const at = (seconds: number): string => new Date(Date.parse(T0) + seconds * 1000).toISOString();

export const fixedClock: Clock = { now: () => new Date(T0) };

/** A clock that stands still until a test moves it. */
export class ManualClock implements Clock {
  constructor(public instant: string = T0) {}

  now(): Date {
    return new Date(this.instant);
  }
}

/** Ids `<prefix>-1`, `<prefix>-2`, ... in call order. */
export function sequentialIds(prefix: string): IdGenerator {
  let count = 0;
  return { next: () => `${prefix}-${++count}` };
}

/** A directory holding exactly the given people and agents. */
export function directoryOf(humans: Human[], agents: Agent[]): Directory {
  return {
    findHuman: (id) => humans.find((human) => human.id === id),
    findAgent: (id) => agents.find((agent) => agent.id === id),
    groupMembers: (group) => humans.filter((human) => human.groups.includes(group)),
    humans: () => humans,
    agents: () => agents,
    findHumanByAccount: (kind, accountId) => humans.find((human) => human[kind] === normalizedAccount(kind, accountId)),
    authenticate: () => undefined,
  };
}

export interface SentCommand {
  command: CommandName;
  message: unknown;
}

/** Records every command and answers with `answer` (by default: accepted, still pending policy). */
export class RecordingCommandSender implements CommandSender {
  readonly sent: SentCommand[] = [];

  constructor(
    public answer: (command: CommandName, message: unknown) => CommandReply | Promise<CommandReply> = () => ({
      ok: true,
      actionId: 'unused',
      status: 'PENDING_POLICY',
      created: true,
    }),
  ) {}

  async send(command: CommandName, message: unknown): Promise<CommandReply> {
    this.sent.push({ command, message });
    return this.answer(command, message);
  }
}

export const TRACESTATE = 'vendor=opaque';

/** A typical request that needs approval in the tests' policies. */
export const sampleRequest: ActionRequest = {
  agentId: 'agent-reporting',
  model: 'claude-sonnet',
  onBehalfOf: 'olivia',
  action: 'dataset.export',
  resource: { kind: 'dataset', id: 'customers' },
  environment: 'prod',
  parameters: { rows: 5000 },
  justification: 'quarterly report',
  idempotencyKey: 'key-1',
};

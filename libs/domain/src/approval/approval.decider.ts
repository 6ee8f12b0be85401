import type { ApprovalCommand } from './approval.commands';
import { decide } from './approval.decide';
import type { ApprovalEvent } from './approval.events';
import { evolve } from './approval.evolve';
import type { ApprovalState } from './approval.state';
import { initialState } from './approval.state';
import type { DomainError, Result } from '../errors';

export { decide } from './approval.decide';
export { evolve } from './approval.evolve';

/** The approval aggregate as one value: `decide`, `evolve` and `initialState`. */
export const approvalDecider = { decide, evolve, initialState } as const;

/** The state after replaying an action's stream from the start. */
export const foldEvents = (events: readonly ApprovalEvent[]): ApprovalState => events.reduce(evolve, initialState());

/** Decides a command against the state rebuilt from the stream's events. */
export const handle = (command: ApprovalCommand, events: readonly ApprovalEvent[]): Result<ApprovalEvent[], DomainError> =>
  decide(command, foldEvents(events));

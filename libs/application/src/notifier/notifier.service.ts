import type { CommandReply, LedgerEventMessage, LedgerEventRoutes } from '@approvals/contracts';
import { routeLedgerMessage } from '@approvals/contracts';
import type { Clock, IdGenerator } from '../ports/clock.port';
import type { Directory } from '../ports/directory.port';
import type { EventStore } from '../ports/event-store.port';
import type { CommandSender } from '../ports/messaging.port';
import { BreakGlassNotices } from './break-glass-notices';
import { Deliveries } from './deliveries';
import { Escalations } from './escalations';
import { Inbox } from './inbox';
import { type CastVoteInput, type HumanActInput, NotifierCommands } from './notifier-commands';
import type { NotifierOptions } from './notifier-options';
import type { NotificationChannel, PendingApproval, PendingApprovalStore } from './pending-approval';
import { PersonalMessages } from './personal-messages';

export type { CastVoteInput, HumanActInput } from './notifier-commands';
export type { NotifierOptions } from './notifier-options';

/**
 * The notifier: tells approvers about approval requests, keeps the pending list they vote from,
 * and turns their decisions into commands for the decision service. A small router over its
 * duties: deliveries (with reminders), escalations, break-glass notices, personal messages (with
 * digests), the inbox, and the approvers' commands.
 */
export class NotifierService {
  private readonly send: NotifierCommands;
  private readonly inbox: Inbox;
  private readonly personal: PersonalMessages;
  private readonly deliveries: Deliveries;
  private readonly escalations: Escalations;
  private readonly breakGlass: BreakGlassNotices;

  constructor(
    ledger: EventStore,
    private readonly pending: PendingApprovalStore,
    channels: NotificationChannel[],
    commands: CommandSender,
    directory: Directory,
    clock: Clock,
    ids: IdGenerator,
    options: NotifierOptions = {},
  ) {
    this.send = new NotifierCommands(commands, clock, ids);
    this.inbox = new Inbox(pending, directory);
    this.personal = new PersonalMessages(channels, directory, clock, options);
    this.deliveries = new Deliveries(ledger, pending, channels, clock, options, this.send, this.inbox, this.personal);
    this.escalations = new Escalations(pending, directory, clock, this.send, this.inbox, this.personal, this.deliveries);
    this.breakGlass = new BreakGlassNotices(ledger, pending, channels, directory, this.send);
  }

  /** What the notifier does with each ledger event; most need nothing from it. */
  private readonly routes: LedgerEventRoutes<Promise<void>, LedgerEventMessage> = {
    ActionRequested: null,
    PolicyEvaluated: null,
    ApprovalRequested: (event, message) => this.deliveries.requested(event.data, message),
    ApprovalEscalated: (event) => this.escalations.escalated(event.data),
    ApprovalNotified: null,
    ApprovalNotificationFailed: null,
    VoteCast: (event) => this.deliveries.vote(event.data),
    VoteRejected: null,
    ActionApproved: ({ data }) => this.deliveries.outcome(data.actionId, `Approved${data.approvedBy.length ? ` by ${data.approvedBy.join(', ')}` : ''}`),
    ActionDenied: ({ data }) => this.deliveries.outcome(data.actionId, `Denied${data.deniedBy !== undefined ? ` by ${data.deniedBy}` : ''}: ${data.reason}`),
    ActionExpired: ({ data }) => this.deliveries.outcome(data.actionId, 'Expired: nobody decided in time'),
    ActionCancelled: ({ data }) => this.deliveries.outcome(data.actionId, `Cancelled by the agent: ${data.reason}`),
    ExecutionGrantIssued: null,
    ExecutionReported: null,
    ExecutionGrantRedeemed: null,
    GrantRedemptionRejected: null,
    ExecutionGrantRevoked: null,
    StandingApprovalGranted: null,
    StandingApprovalRevoked: null,
    BreakGlassInvoked: (event, message) => this.breakGlass.invoked(event.data, message),
    BreakGlassRejected: null,
    BreakGlassNotified: null,
    BreakGlassReviewed: (event) => this.pending.remove(event.data.actionId),
    PolicySetActivated: null,
    StandingApprovalIndexed: null,
    ChannelCallbackRejected: null,
    ChannelCallbacksRejected: null,
  };

  async onLedgerEvent(message: LedgerEventMessage): Promise<void> {
    if (message.data['actionId']) await routeLedgerMessage(this.routes, message);
  }

  /** Sends the digests of personal notices whose window has ended (the notifier's clock calls it). */
  flushDigests(): Promise<number> {
    return this.personal.flushDigests();
  }

  /** Reminds the approvers of each request that expires within `beforeSeconds`, once. */
  sendReminders(beforeSeconds: number, items?: readonly PendingApproval[]): Promise<number> {
    return this.deliveries.sendReminders(beforeSeconds, items);
  }

  /** Retries the deliveries that are due; returns how many channels took their request this time. */
  retryDeliveries(items?: readonly PendingApproval[]): Promise<number> {
    return this.deliveries.retryDeliveries(items);
  }

  /** Asks the decision service to escalate each request whose next fallback group is due (once per group). */
  sendEscalations(items?: readonly PendingApproval[]): Promise<number> {
    return this.escalations.sendEscalations(items);
  }

  /** The pending list; with `forApprover`, only requests that person may still vote on. */
  listPending(limit: number, forApprover?: string): Promise<PendingApproval[]> {
    return this.inbox.listPending(limit, forApprover);
  }

  /** Everything pending, read once per tick of the clock work. */
  pendingItems(): Promise<PendingApproval[]> {
    return this.inbox.pendingItems();
  }

  /** One pending item, if it is still pending; with `forApprover`, only if that person may act on it. */
  pendingItem(actionId: string, forApprover?: string): Promise<PendingApproval | undefined> {
    return this.inbox.pendingItem(actionId, forApprover);
  }

  castVote(input: CastVoteInput): Promise<CommandReply> {
    return this.send.castVote(input);
  }

  revokeStandingApproval(input: HumanActInput & { reason: string }): Promise<CommandReply> {
    return this.send.revokeStandingApproval(input);
  }

  invokeBreakGlass(input: HumanActInput & { justification: string }): Promise<CommandReply> {
    return this.send.invokeBreakGlass(input);
  }

  reviewBreakGlass(input: HumanActInput & { verdict: 'JUSTIFIED' | 'UNJUSTIFIED'; comment: string }): Promise<CommandReply> {
    return this.send.reviewBreakGlass(input);
  }
}

import type { ApprovalStep, EscalationStep, JsonValue, ResourceRef } from '@approvals/domain';
import type { Human } from '../ports/directory.port';
import { canonicalJson } from '../ledger/event-hash';

/**
 * Something waiting for an approver, as the notifier keeps it: an approval request waiting for
 * votes, or (kind BREAK_GLASS_REVIEW) an action approved through break-glass waiting for its
 * mandatory review; `steps` are then the review groups, one reviewer from any of them.
 */
export interface PendingApproval {
  kind?: 'APPROVAL' | 'BREAK_GLASS_REVIEW' | undefined;
  actionId: string;
  agentId: string;
  onBehalfOf?: string | undefined;
  agentOwner?: string | undefined;
  model?: string | undefined;
  action: string;
  resource: ResourceRef;
  environment: string;
  dataClassification?: string | undefined;
  /** The request's parameters, for the approver to see (channels show them with `shownParameters`). */
  parameters?: { [key: string]: JsonValue } | undefined;
  /** SHA-256 of the canonical request: what a grant for this action will bind (absent in items kept before it was). */
  requestHash?: string | undefined;
  justification: string;
  steps: ApprovalStep[];
  /** The channels the policy named (`<kind>:<target>`), for the channel adapters to route by. */
  channels?: string[] | undefined;
  approvedBy: string[];
  voters: string[];
  reasons: string[];
  /** The policies that asked for approval (their ids). */
  policies?: string[] | undefined;
  requestedAt: string;
  expiresAt: string;
  notified: boolean;
  /** Per channel, the messages it posted for this request (e.g. Slack `channel/ts`), to update them later. */
  messages?: Record<string, string[]> | undefined;
  /** Channels that took the request, with the target each reported: never delivered to again. */
  delivered?: { channel: string; target: string }[] | undefined;
  /** The policy's fallback groups and when they are due; `escalatedGroups` those asked so far. */
  escalation?: EscalationStep[] | undefined;
  escalatedGroups?: string[] | undefined;
  /** Escalations already sent to the decision service (so the clock asks once). */
  escalationsRequested?: string[] | undefined;
  /** When the approvers were reminded that it expires soon (once). */
  remindedAt?: string | undefined;
  /** Channels that failed to take it, retried with backoff until they do or the request ends. */
  undelivered?: { channel: string; attempts: number; nextAttemptAt: string; lastError: string }[] | undefined;
  /** With BREAK_GLASS_REVIEW: who broke the glass, why, and by when it must be reviewed. */
  breakGlass?: { invokedBy: string; justification: string; invokedAt: string; reviewDueAt: string } | undefined;
}

/**
 * The notifier's pending list, shared by every notifier replica (PostgreSQL in distributed mode).
 * Each change of an item is atomic, so the replicas, the bus and the clock never lose each
 * other's changes; and a change never brings back an item removed meanwhile (its action decided).
 */
export interface PendingApprovalStore {
  get(actionId: string): Promise<PendingApproval | undefined>;
  /** Keeps `item` unless an item is kept for its action already; returns the item kept. */
  add(item: PendingApproval): Promise<PendingApproval>;
  /** Keeps `item` in place of whatever is kept for its action. */
  replace(item: PendingApproval): Promise<void>;
  /**
   * Changes one item atomically: `change` receives the item as kept now (its own copy) and returns
   * it changed, or undefined to leave it. Returns the item as changed; undefined when there is no
   * such item or `change` left it (so a claim, such as "remind once", is won by one caller only).
   */
  update(actionId: string, change: (item: PendingApproval) => PendingApproval | undefined): Promise<PendingApproval | undefined>;
  remove(actionId: string): Promise<void>;
  /** Oldest first. */
  list(limit: number): Promise<PendingApproval[]>;
}

/** A place approvers are told about a request: the log, Slack, Teams, webhooks (see @approvals/channels). */
export interface NotificationChannel {
  readonly name: string;
  /**
   * Delivers the request; `messages` are references to what was posted, handed back to `refresh`.
   * Undefined when the request is not for this channel (e.g. no policy named one of its targets).
   */
  deliver(item: PendingApproval): Promise<{ target: string; messages?: string[] | undefined } | undefined>;
  /** Shows the current state where it was delivered: votes so far, or the outcome once there is one. */
  refresh?(item: PendingApproval, messages: string[], outcome?: string): Promise<void>;
  /** Reminds the approvers where the request was delivered that it expires soon (`messages` as from `deliver`). */
  remind?(item: PendingApproval, messages: string[]): Promise<void>;
  /** Tells one member of a fallback group, personally, that nobody decided in time and they may now. */
  notifyEscalation?(item: PendingApproval, recipient: Human, group: string): Promise<void>;
  /** Several personal notices to one person, as one message (instead of a flood). */
  deliverDigest?(recipient: Human, lines: string[]): Promise<void>;
  /** Tells the agent's accountable owner how its request ended. */
  notifyOwner?(item: PendingApproval, owner: Human, outcome: string): Promise<void>;
  /** Tells one approver, personally, that the glass was broken on `item` and that it awaits review. */
  deliverBreakGlass(item: PendingApproval, recipient: Human): Promise<void>;
}

/** Data classifications whose parameter values channels show; for the others, only the names. */
const classificationsShowingValues = new Set(['', 'public', 'internal']);

/** How a channel shows an item's parameters: none, their names only, or the canonical text. */
export type ShownParameters = { kind: 'none' } | { kind: 'hidden'; names: string[]; classification: string } | { kind: 'text'; text: string };

/**
 * The parameters as every channel shows them: exactly the RFC 8785 text that the request hash,
 * and so the grant, covers (I5), never a re-serialisation that could order or spell it otherwise;
 * or only their names when the classification keeps values out of chat.
 */
export function shownParameters(item: Pick<PendingApproval, 'parameters' | 'dataClassification'>): ShownParameters {
  const parameters = item.parameters ?? {};
  const names = Object.keys(parameters);
  if (names.length === 0) return { kind: 'none' };
  const classification = (item.dataClassification ?? '').toLowerCase();
  if (!classificationsShowingValues.has(classification)) return { kind: 'hidden', names: names.sort(), classification };
  return { kind: 'text', text: canonicalJson(parameters) };
}

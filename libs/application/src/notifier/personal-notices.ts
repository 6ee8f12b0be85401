import type { Clock } from '../ports/clock.port';
import type { Human } from '../ports/directory.port';
import type { PendingApproval } from './pending-approval';

/**
 * Approval fatigue: personal notices to one person (owner notices, escalations) are sent at once
 * while they are few, and once a second one comes within the window, the rest of that window's
 * notices are held and sent together as one digest at its end.
 */

/** What a personal notice says, as data: any replica can send it, alone or in a digest. */
export type PersonalMessage =
  /** The agent's accountable owner hears how its request ended. */
  | { kind: 'owner'; item: PendingApproval; outcome: string }
  /** A member of a fallback group may now approve. */
  | { kind: 'escalation'; item: PendingApproval; group: string };

export interface PersonalNotice {
  recipient: Human;
  /** One line for the digest, e.g. "agent-ops's iam.escalate on role:admin: Approved by carol". */
  line: string;
  message: PersonalMessage;
}

/**
 * The digest windows, shared by every notifier replica (PostgreSQL in distributed mode), so one
 * person gets one digest per window however many replicas handled their notices.
 */
export interface PersonalNoticeStore {
  /**
   * Counts `notice` in its recipient's window at `now`: 'send' when it is the first of a window
   * (one is opened when none is, or the last ended `windowMs` ago), else 'held', and it is kept.
   */
  admit(notice: PersonalNotice, now: number, windowMs: number): Promise<'send' | 'held'>;
  /** Takes the held notices of every window that has ended by `now`, each taken once; by recipient, in order. */
  takeDue(now: number, windowMs: number): Promise<PersonalNotice[][]>;
}

/** The windows of one process (embedded mode, tests). */
export class InMemoryPersonalNoticeStore implements PersonalNoticeStore {
  private readonly windows = new Map<string, { openedAt: number; sent: number }>();
  private held: { openedAt: number; notice: PersonalNotice }[] = [];

  async admit(notice: PersonalNotice, now: number, windowMs: number): Promise<'send' | 'held'> {
    const id = notice.recipient.id;
    const window = this.windows.get(id);
    if (!window || now - window.openedAt >= windowMs) {
      this.windows.set(id, { openedAt: now, sent: 1 });
      return 'send';
    }
    window.sent += 1;
    this.held.push({ openedAt: window.openedAt, notice: structuredClone(notice) });
    return 'held';
  }

  async takeDue(now: number, windowMs: number): Promise<PersonalNotice[][]> {
    const due = this.held.filter((entry) => now - entry.openedAt >= windowMs);
    this.held = this.held.filter((entry) => now - entry.openedAt < windowMs);
    for (const [id, window] of this.windows) if (now - window.openedAt >= windowMs) this.windows.delete(id);
    return groupByRecipient(due.map((entry) => entry.notice));
  }
}

/** Notices by recipient, each recipient's in the order given. */
export function groupByRecipient(notices: readonly PersonalNotice[]): PersonalNotice[][] {
  const byRecipient = new Map<string, PersonalNotice[]>();
  for (const notice of notices) byRecipient.set(notice.recipient.id, [...(byRecipient.get(notice.recipient.id) ?? []), notice]);
  return [...byRecipient.values()];
}

export class PersonalNotices {
  constructor(
    private readonly clock: Clock,
    private readonly windowMs: number,
    private readonly store: PersonalNoticeStore,
    private readonly sendOne: (notice: PersonalNotice) => Promise<void>,
    private readonly sendDigest: (recipient: Human, lines: string[]) => Promise<void>,
  ) {}

  async notify(notice: PersonalNotice): Promise<void> {
    if ((await this.store.admit(notice, this.clock.now().getTime(), this.windowMs)) === 'send') await this.sendOne(notice);
  }

  /** Sends the digests of the windows that have ended; returns how many were sent. */
  async flush(): Promise<number> {
    const due = await this.store.takeDue(this.clock.now().getTime(), this.windowMs);
    for (const held of due) {
      // A single held notice goes out as itself, not as a digest of one.
      if (held.length === 1) await this.sendOne(held[0]!);
      else await this.sendDigest(held[0]!.recipient, held.map((notice) => notice.line));
    }
    return due.length;
  }
}

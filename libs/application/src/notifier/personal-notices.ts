import type { Clock } from '../ports/clock.port';
import type { Human } from '../ports/directory.port';

/**
 * Approval fatigue: personal notices to one person (owner notices, escalations) are sent at once
 * while they are few, and once a second one comes within the window, the rest of that window's
 * notices are held and sent together as one digest at its end.
 */
export interface PersonalNotice {
  recipient: Human;
  /** One line for the digest, e.g. "agent-ops's iam.escalate on role:admin: Approved by carol". */
  line: string;
  /** Sends it on its own. */
  send: () => Promise<void>;
}

export class PersonalNotices {
  private readonly windows = new Map<string, { openedAt: number; sent: number; held: PersonalNotice[] }>();

  constructor(
    private readonly clock: Clock,
    private readonly windowMs: number,
    private readonly sendDigest: (recipient: Human, lines: string[]) => Promise<void>,
  ) {}

  async notify(notice: PersonalNotice): Promise<void> {
    const now = this.clock.now().getTime();
    const id = notice.recipient.id;
    let window = this.windows.get(id);
    if (!window || now - window.openedAt >= this.windowMs) {
      if (window?.held.length) await this.flushOne(id, window);
      window = { openedAt: now, sent: 0, held: [] };
      this.windows.set(id, window);
    }
    if (window.sent === 0) {
      window.sent += 1;
      await notice.send();
      return;
    }
    window.held.push(notice);
  }

  /** Sends the digests of the windows that have ended; returns how many were sent. */
  async flush(): Promise<number> {
    const now = this.clock.now().getTime();
    let sent = 0;
    for (const [id, window] of this.windows) {
      if (now - window.openedAt < this.windowMs) continue;
      if (window.held.length) {
        await this.flushOne(id, window);
        sent += 1;
      }
      this.windows.delete(id);
    }
    return sent;
  }

  private async flushOne(_id: string, window: { held: PersonalNotice[] }): Promise<void> {
    const held = window.held.splice(0);
    if (held.length === 1) await held[0]!.send();
    else await this.sendDigest(held[0]!.recipient, held.map((notice) => notice.line));
  }
}

import type { PersonalNoticeStore } from './personal-notices';

export interface NotifierOptions {
  /** A channel failed to deliver or to update; deliveries are retried, updates are not (the next one shows the state). */
  onChannelError?: (error: unknown, context: { channel: string; actionId: string; what: 'delivery' | 'update'; attempts?: number }) => void;
  /** Personal notices beyond the first to one person within this window are sent as one digest (default 60 s). */
  digestWindowMs?: number;
  /** Where the digest windows are kept: shared by the replicas in distributed mode (default: this process's memory). */
  personalNotices?: PersonalNoticeStore;
  /** Backoff of delivery retries: base, doubled per attempt, capped (defaults 1 s and 60 s). */
  retryBaseMs?: number;
  retryMaxMs?: number;
}

import type { LedgerEventData } from '@approvals/contracts';

/** A refused callback, as the channel edge saw it (what ChannelCallbackRejected records of it). */
export type Refusal = Pick<LedgerEventData<'ChannelCallbackRejected'>, 'channel' | 'reason' | 'source' | 'detail'>;

/** What the ledger gets for the refusals it did not record one by one (ChannelCallbacksRejected). */
export type RefusalSummary = LedgerEventData<'ChannelCallbacksRejected'>;

export interface RefusalSummariesOptions {
  /** Length of one interval (default 60 s). */
  intervalMs?: number;
  /** Refusals recorded one by one per source, channel and reason in an interval (default 5). */
  recordedPerKey?: number;
  /** Sources (with channel and reason) followed in one interval (default 20); refusals of others are counted together. */
  maxKeys?: number;
}

interface Tally {
  channel: string;
  reason: string;
  source: string;
  startedAt: number;
  recorded: number;
  counted: number;
  firstAt?: string;
  lastAt?: string;
  lastDetail: string;
}

/** How many ledger events one interval can add at most, whatever arrives (see RefusalSummaries). */
export const maxRefusalEventsPerInterval = (options: RefusalSummariesOptions = {}): number =>
  (options.maxKeys ?? 20) * ((options.recordedPerKey ?? 5) + 1) + 1;

/**
 * Decides which refused callbacks the ledger records one by one, so that anyone on the network
 * cannot grow an append-only ledger at line rate (SPEC I10) while auditors still see who tried
 * what. In each interval the first `recordedPerKey` refusals of one source, channel and reason are
 * recorded in full (the first of a new source always is, while fewer than `maxKeys` sources are
 * followed); later ones are counted, and the count becomes one summary when the interval ends.
 * Refusals of sources beyond `maxKeys` are counted together in one summary with source `*`. So an
 * interval adds at most maxKeys x (recordedPerKey + 1) + 1 events, and memory holds at most
 * maxKeys tallies. Time comes in as an argument: the logic is the same in tests and in service.
 */
export class RefusalSummaries {
  private readonly intervalMs: number;
  private readonly recordedPerKey: number;
  private readonly maxKeys: number;
  private readonly tallies = new Map<string, Tally>();
  private overflow: (Tally & { sources: Set<string>; moreSources: number }) | undefined;

  constructor(options: RefusalSummariesOptions = {}) {
    this.intervalMs = options.intervalMs ?? 60_000;
    this.recordedPerKey = options.recordedPerKey ?? 5;
    this.maxKeys = options.maxKeys ?? 20;
  }

  /** True when this refusal is to be recorded in full now; false when it was counted for a summary. */
  admit(refusal: Refusal, now: Date): boolean {
    const key = JSON.stringify([refusal.source, refusal.channel, refusal.reason]);
    let tally = this.tallies.get(key);
    if (!tally) {
      if (this.tallies.size >= this.maxKeys) {
        this.countOverflow(refusal, now);
        return false;
      }
      tally = { channel: refusal.channel, reason: refusal.reason, source: refusal.source, startedAt: now.getTime(), recorded: 0, counted: 0, lastDetail: '' };
      this.tallies.set(key, tally);
    }
    if (tally.recorded < this.recordedPerKey) {
      tally.recorded += 1;
      return true;
    }
    count(tally, refusal, now);
    return false;
  }

  /** The summaries of the intervals that ended by `now` (all of them with `everything`, as on a stop); their tallies are forgotten. */
  due(now: Date, everything = false): RefusalSummary[] {
    const ended = (tally: Tally) => everything || now.getTime() - tally.startedAt >= this.intervalMs;
    const summaries: RefusalSummary[] = [];
    for (const [key, tally] of this.tallies) {
      if (!ended(tally)) continue;
      this.tallies.delete(key);
      if (tally.counted > 0) summaries.push(summaryOf(tally));
    }
    if (this.overflow && ended(this.overflow)) {
      const { sources, moreSources } = this.overflow;
      summaries.push({ ...summaryOf(this.overflow), sources: sources.size + moreSources });
      this.overflow = undefined;
    }
    return summaries;
  }

  private countOverflow(refusal: Refusal, now: Date): void {
    this.overflow ??= {
      channel: '*',
      reason: '*',
      source: '*',
      startedAt: now.getTime(),
      recorded: 0,
      counted: 0,
      lastDetail: '',
      sources: new Set<string>(),
      moreSources: 0,
    };
    // The distinct sources are counted exactly up to a point, then only added up (memory stays bounded).
    if (this.overflow.sources.size < 10_000) this.overflow.sources.add(refusal.source);
    else if (!this.overflow.sources.has(refusal.source)) this.overflow.moreSources += 1;
    count(this.overflow, refusal, now);
  }
}

function count(tally: Tally, refusal: Refusal, now: Date): void {
  tally.counted += 1;
  tally.firstAt ??= now.toISOString();
  tally.lastAt = now.toISOString();
  tally.lastDetail = `${refusal.channel} ${refusal.reason}: ${refusal.detail}`.slice(0, 500);
}

function summaryOf(tally: Tally): RefusalSummary {
  return {
    channel: tally.channel,
    reason: tally.reason,
    source: tally.source,
    count: tally.counted,
    firstAt: tally.firstAt!,
    lastAt: tally.lastAt!,
    lastDetail: tally.lastDetail,
  };
}

import fc from 'fast-check';
import { T0 as T0Text, at as atText } from '@approvals/testing';
import { RefusalSummaries, maxRefusalEventsPerInterval, type Refusal } from './refusal-summaries';

const T0 = new Date(T0Text);
const at = (seconds: number) => new Date(atText(seconds));
const forged = (source: string, detail = 'the signature does not match'): Refusal => ({ channel: 'slack', reason: 'INVALID_SIGNATURE', source, detail });

describe('RefusalSummaries (refused callbacks cannot flood the ledger)', () => {
  it('records the first refusals of a source in full, counts the rest, and sums them up when the interval ends', () => {
    const summaries = new RefusalSummaries({ intervalMs: 60_000, recordedPerKey: 2 });
    const recorded = [0, 1, 2, 3, 4].map((second) => summaries.admit(forged('203.0.113.7', `try ${second}`), at(second)));
    expect(recorded).toEqual([true, true, false, false, false]);

    expect(summaries.due(at(59))).toEqual([]); // the interval is still open
    expect(summaries.due(at(60))).toEqual([
      {
        channel: 'slack',
        reason: 'INVALID_SIGNATURE',
        source: '203.0.113.7',
        count: 3,
        firstAt: at(2).toISOString(),
        lastAt: at(4).toISOString(),
        lastDetail: 'slack INVALID_SIGNATURE: try 4',
      },
    ]);
    // a new interval: in full again
    expect(summaries.admit(forged('203.0.113.7'), at(61))).toBe(true);
  });

  it('keeps each source, channel and reason apart, and sums up nothing when nothing was counted', () => {
    const summaries = new RefusalSummaries({ recordedPerKey: 1 });
    expect(summaries.admit(forged('198.51.100.1'), T0)).toBe(true);
    expect(summaries.admit(forged('198.51.100.2'), T0)).toBe(true);
    expect(summaries.admit({ ...forged('198.51.100.1'), reason: 'STALE_TIMESTAMP' }, T0)).toBe(true);
    expect(summaries.admit({ ...forged('198.51.100.1'), channel: 'teams' }, T0)).toBe(true);
    expect(summaries.due(at(60))).toEqual([]);
  });

  it('counts the refusals of sources beyond the ones it follows in one summary, with how many sources they came from', () => {
    const summaries = new RefusalSummaries({ recordedPerKey: 1, maxKeys: 2 });
    expect(['a', 'b', 'c', 'd', 'c'].map((source) => summaries.admit(forged(source), T0))).toEqual([true, true, false, false, false]);
    expect(summaries.due(at(60))).toEqual([expect.objectContaining({ source: '*', channel: '*', reason: '*', count: 3, sources: 2 })]);
  });

  it('sums up everything on a stop, whatever is left of the interval', () => {
    const summaries = new RefusalSummaries({ recordedPerKey: 1 });
    summaries.admit(forged('a'), T0);
    summaries.admit(forged('a'), T0);
    expect(summaries.due(at(1), true)).toEqual([expect.objectContaining({ source: 'a', count: 1 })]);
    expect(summaries.due(at(120), true)).toEqual([]);
  });

  it('adds at most maxKeys x (recordedPerKey + 1) + 1 events per interval, whatever arrives', () => {
    const options = { intervalMs: 60_000, recordedPerKey: 3, maxKeys: 5 };
    fc.assert(
      fc.property(
        fc.array(fc.record({ source: fc.string({ maxLength: 3 }), reason: fc.constantFrom('INVALID_SIGNATURE', 'STALE_TIMESTAMP', 'REPLAYED'), second: fc.integer({ min: 0, max: 59 }) }), {
          maxLength: 2000,
        }),
        (arrivals) => {
          const summaries = new RefusalSummaries(options);
          const sorted = [...arrivals].sort((x, y) => x.second - y.second);
          let events = 0;
          for (const { source, reason, second } of sorted) if (summaries.admit({ ...forged(source), reason }, at(second))) events += 1;
          const summed = summaries.due(at(60), true);
          events += summed.length;
          // every refusal is either recorded or counted, and the ledger gets no more than the bound
          expect(sorted.length - (events - summed.length)).toBe(summed.reduce((n, s) => n + s.count, 0));
          expect(events).toBeLessThanOrEqual(maxRefusalEventsPerInterval(options));
        },
      ),
    );
  });
});

import { RecentAppends } from './recent-appends';

const recent = () => new RecentAppends<bigint>((position) => position, 4);
const pushAll = (appends: RecentAppends<bigint>, ...positions: number[]) => positions.forEach((p) => appends.push(BigInt(p)));

describe('RecentAppends', () => {
  it('covers the log from a cursor only when it holds every position after it', () => {
    const appends = recent();
    pushAll(appends, 5, 6, 7);
    expect(appends.after(4n)).toEqual([5n, 6n, 7n]);
    expect(appends.after(6n)).toEqual([7n]);
    expect(appends.after(7n)).toEqual([]);
    // position 4 and before, or beyond the last it knows, it cannot vouch for
    expect(appends.after(3n)).toBeUndefined();
    expect(appends.after(8n)).toBeUndefined();
  });

  it('forgets what came before a gap in positions (another writer appended in between)', () => {
    const appends = recent();
    pushAll(appends, 5, 6, 9);
    expect(appends.after(6n)).toBeUndefined();
    expect(appends.after(8n)).toEqual([9n]);
    expect(appends.lastPosition).toBe(9n);
  });

  it('forgets what was pushed after a mark when the transaction rolls back, and everything on clear', () => {
    const appends = recent();
    pushAll(appends, 1, 2);
    const forget = appends.mark();
    pushAll(appends, 3, 4);
    forget();
    expect(appends.after(0n)).toEqual([1n, 2n]);
    appends.clear();
    expect(appends.after(2n)).toBeUndefined();
    expect(appends.lastPosition).toBeUndefined();
  });

  it('keeps the newest when it grows past twice its limit', () => {
    const appends = recent();
    pushAll(appends, 1, 2, 3, 4, 5, 6, 7, 8, 9);
    expect(appends.after(5n)).toEqual([6n, 7n, 8n, 9n]);
    expect(appends.after(4n)).toBeUndefined();
  });
});

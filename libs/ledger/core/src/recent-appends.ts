/**
 * The events a store appended most recently, at consecutive global positions. Because nothing
 * else can sit between consecutive positions, they alone cover the log from a reader's cursor up
 * to the last of them, so live subscribers in the writing process can take their next page from
 * here instead of asking the database. A gap (another writer committed in between) forgets what
 * came before it; stores also clear it whenever another writer may have appended.
 */
export class RecentAppends<T> {
  private items: T[] = [];

  constructor(
    private readonly positionOf: (item: T) => bigint,
    /** Kept after trimming; up to twice as many are held between trims. */
    private readonly limit = 4096,
  ) {}

  push(item: T): void {
    const last = this.items.at(-1);
    if (last !== undefined && this.positionOf(last) + 1n !== this.positionOf(item)) this.items = [];
    this.items.push(item);
    if (this.items.length > this.limit * 2) this.items = this.items.slice(-this.limit);
  }

  clear(): void {
    this.items = [];
  }

  /** Returns a function that forgets everything pushed since this call (a rolled-back transaction). */
  mark(): () => void {
    const items = this.items;
    const length = items.length;
    return () => {
      if (this.items === items) items.length = length;
      else this.items = [];
    };
  }

  /** Position of the newest item, if any. */
  get lastPosition(): bigint | undefined {
    const last = this.items.at(-1);
    return last === undefined ? undefined : this.positionOf(last);
  }

  /** The items after `after`, or undefined when they do not cover the log from there. */
  after(after: bigint): T[] | undefined {
    const first = this.items[0];
    const last = this.lastPosition;
    if (first === undefined || last === undefined || this.positionOf(first) > after + 1n || last < after) return undefined;
    return this.items.slice(Number(after + 1n - this.positionOf(first)));
  }
}

/**
 * The order in which BPE applies merges inside one word: lowest rank first, then leftmost position,
 * as Rust's `Word::merge_all` pops its heap. Built as a small heap of the distinct ranks present, each
 * with its own list of positions: FAST strings repeat a few pairs thousands of times, so this does far
 * less work than one heap over every (rank, position) entry.
 */
export class MergeQueue {
  private readonly ranks: number[] = [];
  /** Bucket per rank, kept between words (an exhausted bucket is reused by the next push). */
  private readonly buckets: Bucket[] = [];

  /** Queues a merge of rank `rank` at symbol position `pos`. */
  push(rank: number, pos: number): void {
    let bucket = this.buckets[rank];
    if (bucket === undefined) {
      bucket = { items: [], head: 0, tail: 0, sorted: true };
      this.buckets[rank] = bucket;
      this.pushRank(rank);
    } else if (bucket.head === bucket.tail) {
      bucket.head = 0;
      bucket.tail = 0;
      bucket.sorted = true;
      this.pushRank(rank);
    } else if (pos < bucket.items[bucket.tail - 1]) {
      bucket.sorted = false;
    }
    bucket.items[bucket.tail++] = pos;
  }

  /**
   * Pops the lowest (rank, position); returns false when empty. Read the result from `rank` and `pos`.
   * The queue is reusable once empty.
   */
  pop(): boolean {
    while (this.ranks.length > 0) {
      const rank = this.ranks[0];
      const bucket = this.buckets[rank];
      if (bucket.head === bucket.tail) {
        this.popRank();
        continue;
      }
      if (!bucket.sorted) {
        const rest = bucket.items.slice(bucket.head, bucket.tail).sort((a, b) => a - b);
        bucket.items = rest;
        bucket.head = 0;
        bucket.tail = rest.length;
        bucket.sorted = true;
      }
      this.rank = rank;
      this.pos = bucket.items[bucket.head++];
      return true;
    }
    return false;
  }

  /** Rank of the last popped entry. */
  rank = -1;
  /** Position of the last popped entry. */
  pos = -1;

  private pushRank(rank: number): void {
    const h = this.ranks;
    let i = h.length;
    h.push(rank);
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (h[parent] <= rank) break;
      h[i] = h[parent];
      i = parent;
    }
    h[i] = rank;
  }

  private popRank(): void {
    const h = this.ranks;
    const last = h.pop()!;
    const n = h.length;
    if (n === 0) return;
    let i = 0;
    for (;;) {
      let child = 2 * i + 1;
      if (child >= n) break;
      if (child + 1 < n && h[child + 1] < h[child]) child++;
      if (h[child] >= last) break;
      h[i] = h[child];
      i = child;
    }
    h[i] = last;
  }
}

interface Bucket {
  /** Positions; the live ones are `items[head … tail)`. */
  items: number[];
  head: number;
  tail: number;
  /** Whether the live positions are in increasing order. */
  sorted: boolean;
}

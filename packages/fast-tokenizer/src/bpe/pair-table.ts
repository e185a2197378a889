/**
 * An open-addressing hash table from a pair of token ids to a merge (rank and merged id), on typed
 * arrays: the BPE inner loop looks a pair up for every symbol, and a `Map` was most of its time.
 */
export class PairTable {
  private readonly left: Int32Array;
  private readonly right: Int32Array;
  /** Merge rank per slot. */
  readonly ranks: Int32Array;
  /** Merged token id per slot. */
  readonly newIds: Int32Array;
  private readonly mask: number;

  constructor(entries: number) {
    let capacity = 16;
    while (capacity < entries * 2) capacity *= 2;
    this.left = new Int32Array(capacity).fill(-1);
    this.right = new Int32Array(capacity);
    this.ranks = new Int32Array(capacity);
    this.newIds = new Int32Array(capacity);
    this.mask = capacity - 1;
  }

  private slotOf(a: number, b: number): number {
    let slot = (Math.imul(a, 0x9e3779b1) ^ Math.imul(b + 0x7f4a7c15, 0x85ebca6b)) & this.mask;
    while (this.left[slot] !== -1 && (this.left[slot] !== a || this.right[slot] !== b)) {
      slot = (slot + 1) & this.mask;
    }
    return slot;
  }

  /** Sets the merge of pair (a, b); a later set of the same pair replaces it. */
  set(a: number, b: number, rank: number, newId: number): void {
    const slot = this.slotOf(a, b);
    this.left[slot] = a;
    this.right[slot] = b;
    this.ranks[slot] = rank;
    this.newIds[slot] = newId;
  }

  /** Slot of pair (a, b), or -1 when the pair has no merge. */
  find(a: number, b: number): number {
    const slot = this.slotOf(a, b);
    return this.left[slot] === -1 ? -1 : slot;
  }
}

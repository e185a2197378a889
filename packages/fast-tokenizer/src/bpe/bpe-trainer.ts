import { FastTokenizerError } from '../errors.js';

/**
 * Options of {@link trainBpe}, named after Hugging Face `tokenizers`' `BpeTrainer`
 * (`continuing_subword_prefix` and `end_of_word_suffix` are not supported: byte-level BPEs do not use them).
 */
export interface BpeTrainerOptions {
  /** Target vocabulary size, counting special tokens and the alphabet. */
  vocabSize: number;
  /** Stop when the most frequent pair occurs fewer times than this; default 0 (Rust's default). */
  minFrequency?: number;
  /** Tokens placed first in the vocabulary. */
  specialTokens?: readonly string[];
  /** Characters always in the alphabet, each exactly one code point. */
  initialAlphabet?: readonly string[];
  /** Keep only this many alphabet characters, the most frequent ones (initial alphabet first). */
  limitAlphabet?: number;
  /** Longest token, in characters, that a merge may create; default unlimited. */
  maxTokenLength?: number;
  /** Called after each merge with the vocabulary size so far and the target. */
  onProgress?: (done: number, total: number) => void;
}

/** The trained vocabulary and merges, as the Rust trainer leaves them in its model. */
export interface BpeTrainingResult {
  /** Token → id. */
  vocab: Map<string, number>;
  /** Merges in rank order (each pair once). */
  merges: Array<[string, string]>;
  /** How often each merge's pair occurred when it was chosen (parallel to `merges`). */
  mergeCounts: number[];
}

/** Adds the pre-tokenized pieces to a word → count map (a new one unless `into` is given). */
export function countWords(
  pieces: Iterable<string>,
  into: Map<string, number> = new Map(),
): Map<string, number> {
  for (const piece of pieces) into.set(piece, (into.get(piece) ?? 0) + 1);
  return into;
}

/** Ids below 2^26, so a pair packs into one safe integer that sorts like the (a, b) tuple. */
const PAIR_SHIFT = 2 ** 26;

interface QueuedMerge {
  pair: number;
  count: number;
  /** Words this entry will merge in (Rust keeps one set per queue entry). */
  pos: Set<number>;
}

/** Max-heap on count, then the smaller pair first: the order of Rust's `Merge`. */
function before(x: QueuedMerge, y: QueuedMerge): boolean {
  return x.count !== y.count ? x.count > y.count : x.pair < y.pair;
}

class MergeQueue {
  private readonly items: QueuedMerge[] = [];

  get size(): number {
    return this.items.length;
  }

  push(item: QueuedMerge): void {
    const d = this.items;
    let i = d.length;
    d.push(item);
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!before(item, d[parent])) break;
      d[i] = d[parent];
      i = parent;
    }
    d[i] = item;
  }

  pop(): QueuedMerge {
    const d = this.items;
    const top = d[0];
    const last = d.pop()!;
    if (d.length > 0) {
      let i = 0;
      for (;;) {
        let child = 2 * i + 1;
        if (child >= d.length) break;
        if (child + 1 < d.length && before(d[child + 1], d[child])) child++;
        if (!before(d[child], last)) break;
        d[i] = d[child];
        i = child;
      }
      d[i] = last;
    }
    return top;
  }
}

function checkOptions(options: BpeTrainerOptions): void {
  const { vocabSize, minFrequency, limitAlphabet, maxTokenLength } = options;
  const positiveInt = (v: number | undefined, name: string, allowZero: boolean) => {
    if (v === undefined) return;
    if (!Number.isInteger(v) || v < (allowZero ? 0 : 1)) {
      throw new FastTokenizerError(
        `${name} must be a ${allowZero ? 'non-negative' : 'positive'} integer, got ${v}`,
      );
    }
  };
  positiveInt(vocabSize, 'vocabSize', false);
  positiveInt(minFrequency, 'minFrequency', true);
  positiveInt(limitAlphabet, 'limitAlphabet', true);
  positiveInt(maxTokenLength, 'maxTokenLength', false);
  if (vocabSize >= PAIR_SHIFT)
    throw new FastTokenizerError(`vocabSize must be below ${PAIR_SHIFT}, got ${vocabSize}`);
  (options.initialAlphabet ?? []).forEach((c, i) => {
    if (typeof c !== 'string' || [...c].length !== 1) {
      throw new FastTokenizerError(
        `initialAlphabet[${i}] must be exactly one code point, got ${JSON.stringify(c)}`,
      );
    }
  });
}

/**
 * Trains a BPE on pre-tokenized words with the semantics of Hugging Face `tokenizers`' Rust `BpeTrainer`:
 * special tokens first, then the alphabet in code-point order, then merges of the most frequent pair
 * (ties: the smallest pair of ids). Like Rust, each queued pair remembers the words it was found in, so a
 * pair can be chosen more than once; its final rank is the last time (as in the Rust model's merge map).
 *
 * @param wordCounts pre-tokenized words (byte-level mapped for a byte-level BPE) and their counts
 */
export function trainBpe(
  wordCounts: ReadonlyMap<string, number>,
  options: BpeTrainerOptions,
): BpeTrainingResult {
  checkOptions(options);
  const { vocabSize } = options;
  const minFrequency = options.minFrequency ?? 0;
  const maxTokenLength = options.maxTokenLength ?? Number.POSITIVE_INFINITY;
  const wordToId = new Map<string, number>();
  const idToWord: string[] = [];
  const addToken = (token: string) => {
    if (!wordToId.has(token)) {
      wordToId.set(token, idToWord.length);
      idToWord.push(token);
    }
  };
  for (const token of options.specialTokens ?? []) addToken(token);

  // Alphabet: characters seen (weighted by word count) plus the initial alphabet (always kept first).
  const alphabet = new Map<number, number>();
  for (const [word, count] of wordCounts) {
    if (!Number.isInteger(count) || count < 1) {
      throw new FastTokenizerError(
        `count of word ${JSON.stringify(word)} must be a positive integer, got ${count}`,
      );
    }
    for (const ch of word) {
      const cp = ch.codePointAt(0)!;
      alphabet.set(cp, (alphabet.get(cp) ?? 0) + count);
    }
  }
  for (const ch of options.initialAlphabet ?? []) alphabet.set(ch.codePointAt(0)!, Number.POSITIVE_INFINITY);
  let kept = [...alphabet];
  const limit = options.limitAlphabet;
  if (limit !== undefined && kept.length > limit) {
    // Rust drops the least frequent characters (its unstable sort leaves ties unordered; this sort is stable).
    kept.sort((a, b) => a[1] - b[1]);
    kept = kept.slice(kept.length - limit);
  }
  kept.sort((a, b) => a[0] - b[0]);
  for (const [cp] of kept) addToken(String.fromCodePoint(cp));

  // Words as id sequences; characters outside the alphabet are skipped, as in Rust.
  const words: number[][] = [];
  const lens: number[][] = [];
  const counts: number[] = [];
  for (const [word, count] of wordCounts) {
    const ids: number[] = [];
    for (const ch of word) {
      const id = wordToId.get(ch);
      if (id !== undefined) ids.push(id);
    }
    words.push(ids);
    lens.push(ids.map(() => 1));
    counts.push(count);
  }

  const pairCounts = new Map<number, number>();
  let whereToUpdate = new Map<number, Set<number>>();
  const note = (pair: number, delta: number, word: number) => {
    pairCounts.set(pair, (pairCounts.get(pair) ?? 0) + delta);
    if (delta > 0) {
      let set = whereToUpdate.get(pair);
      if (set === undefined) {
        set = new Set();
        whereToUpdate.set(pair, set);
      }
      set.add(word);
    }
  };
  words.forEach((ids, w) => {
    for (let i = 0; i + 1 < ids.length; i++) note(ids[i] * PAIR_SHIFT + ids[i + 1], counts[w], w);
  });
  const queue = new MergeQueue();
  const flush = () => {
    for (const [pair, pos] of whereToUpdate) {
      const count = pairCounts.get(pair)!;
      if (count > 0) queue.push({ pair, count, pos });
    }
    whereToUpdate = new Map();
  };
  flush();

  const chosen: Array<{ pair: number; count: number }> = [];
  while (wordToId.size < vocabSize && queue.size > 0) {
    const top = queue.pop();
    const current = pairCounts.get(top.pair)!;
    if (top.count !== current) {
      // Stale entry: requeue with the current count.
      top.count = current;
      queue.push(top);
      continue;
    }
    if (top.count < 1 || minFrequency > top.count) break;
    const a = Math.floor(top.pair / PAIR_SHIFT);
    const b = top.pair % PAIR_SHIFT;
    const token = idToWord[a] + idToWord[b];
    addToken(token);
    const replacement = wordToId.get(token)!;
    chosen.push({ pair: top.pair, count: top.count });
    for (const w of top.pos) mergeWord(w, a, b, replacement);
    flush();
    options.onProgress?.(wordToId.size, vocabSize);
  }

  /** Replaces every non-overlapping (a, b) in word w, left to right, noting pair-count changes (Rust `Word::merge`). */
  function mergeWord(w: number, a: number, b: number, replacement: number): void {
    const ids = words[w];
    const len = lens[w];
    const outIds: number[] = [];
    const outLen: number[] = [];
    let i = 0;
    while (i < ids.length) {
      if (ids[i] === a && i + 1 < ids.length && ids[i + 1] === b) {
        const newLen = len[i] + len[i + 1];
        const k = outIds.length;
        if (k > 0) {
          note(outIds[k - 1] * PAIR_SHIFT + a, -1 * counts[w], w);
          if (outLen[k - 1] + newLen < maxTokenLength)
            note(outIds[k - 1] * PAIR_SHIFT + replacement, counts[w], w);
        }
        if (i + 2 < ids.length) {
          note(b * PAIR_SHIFT + ids[i + 2], -1 * counts[w], w);
          if (len[i + 2] + newLen < maxTokenLength) note(replacement * PAIR_SHIFT + ids[i + 2], counts[w], w);
        }
        outIds.push(replacement);
        outLen.push(newLen);
        i += 2;
      } else {
        outIds.push(ids[i]);
        outLen.push(len[i]);
        i++;
      }
    }
    words[w] = outIds;
    lens[w] = outLen;
  }

  // A pair chosen twice keeps its last rank, as the Rust model's merge map does.
  const lastRank = new Map<number, number>();
  for (const [rank, { pair }] of chosen.entries()) lastRank.set(pair, rank);
  const merges: Array<[string, string]> = [];
  const mergeCounts: number[] = [];
  chosen.forEach(({ pair, count }, rank) => {
    if (lastRank.get(pair) !== rank) return;
    merges.push([idToWord[Math.floor(pair / PAIR_SHIFT)], idToWord[pair % PAIR_SHIFT]]);
    mergeCounts.push(count);
  });
  return { vocab: wordToId, merges, mergeCounts };
}

import { FastTokenizerError } from '../errors.js';
import { BYTE_TO_CHAR, CHAR_TO_BYTE } from './byte-alphabet.js';
import { MergeQueue } from './merge-queue.js';
import { PairTable } from './pair-table.js';
import { splitCodePoints } from './pretokenize.js';

/** A token added on top of the BPE vocabulary (`added_tokens` in `tokenizer.json`). */
export interface AddedToken {
  readonly id: number;
  readonly content: string;
  readonly special: boolean;
}

/** The JSON document a Hugging Face `tokenizer.json` holds for a byte-level BPE, as written by {@link ByteLevelBpe.toTokenizerJson}. */
export interface TokenizerJson {
  version: string;
  truncation: null;
  padding: null;
  added_tokens: Array<{
    id: number;
    content: string;
    single_word: boolean;
    lstrip: boolean;
    rstrip: boolean;
    normalized: boolean;
    special: boolean;
  }>;
  normalizer: null;
  pre_tokenizer: { type: 'ByteLevel'; add_prefix_space: boolean; trim_offsets: boolean; use_regex: boolean };
  post_processor: { type: 'ByteLevel'; add_prefix_space: boolean; trim_offsets: boolean; use_regex: boolean };
  decoder: { type: 'ByteLevel'; add_prefix_space: boolean; trim_offsets: boolean; use_regex: boolean };
  model: {
    type: 'BPE';
    dropout: null;
    unk_token: null;
    continuing_subword_prefix: null;
    end_of_word_suffix: null;
    fuse_unk: boolean;
    byte_fallback: boolean;
    ignore_merges: boolean;
    vocab: Record<string, number>;
    merges: Array<[string, string]>;
  };
}

const MAX_CACHED_PIECE = 256;
const MAX_CACHE_ENTRIES = 10000;

function isRecord(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

const utf8Decoder = new TextDecoder('utf-8', { fatal: false, ignoreBOM: true });
const utf8Encoder = new TextEncoder();

/**
 * A Hugging Face byte-level BPE (GPT-2 style): ByteLevel pre-tokenizer with the GPT-2 split, no
 * normalizer, BPE model, ByteLevel decoder. Encodes and decodes with the same ids as the Rust library.
 */
export class ByteLevelBpe {
  /** Token string of each id (`undefined` for ids with no token). */
  private readonly idToTokenTable: (string | undefined)[];
  private readonly vocab: Map<string, number>;
  /** Merges in rank order. */
  readonly merges: ReadonlyArray<readonly [string, string]>;
  private readonly addedTokens: AddedToken[];
  /** Id of the token for each byte's character, or -1 when the vocabulary lacks it (the byte is dropped, as in Rust). */
  private readonly byteIds = new Int32Array(256);
  /** Pair of ids → merge rank and merged id. */
  private readonly pairs: PairTable;
  private readonly bytesById: (Uint8Array | undefined)[] = [];
  /** Scratch symbols of the word being merged, grown as needed. */
  private sym = new Int32Array(1024);
  /** Reused by every word (encoding is synchronous, so one queue suffices). */
  private readonly queue = new MergeQueue();
  private readonly stride: number;
  private readonly cache = new Map<string, Int32Array>();
  private readonly addedById = new Map<number, AddedToken>();
  private readonly addedPattern: RegExp | null;

  private constructor(
    vocab: Map<string, number>,
    merges: ReadonlyArray<readonly [string, string]>,
    addedTokens: AddedToken[],
    source: string,
  ) {
    this.vocab = vocab;
    this.merges = merges;
    this.addedTokens = addedTokens;
    let maxId = -1;
    for (const [token, id] of vocab) {
      if (!Number.isInteger(id) || id < 0) {
        throw new FastTokenizerError(
          `${source}: vocab id of ${JSON.stringify(token)} is ${id}, not a non-negative integer`,
        );
      }
      maxId = Math.max(maxId, id);
    }
    for (const t of addedTokens) maxId = Math.max(maxId, t.id);
    this.idToTokenTable = new Array(maxId + 1);
    for (const [token, id] of vocab) {
      if (this.idToTokenTable[id] !== undefined) {
        throw new FastTokenizerError(
          `${source}: id ${id} is used by both ${JSON.stringify(this.idToTokenTable[id])} and ${JSON.stringify(token)}`,
        );
      }
      this.idToTokenTable[id] = token;
    }
    for (const t of addedTokens) this.addedById.set(t.id, t);
    this.stride = maxId + 1;
    this.pairs = new PairTable(merges.length);
    for (let b = 0; b < 256; b++) this.byteIds[b] = vocab.get(BYTE_TO_CHAR[b]) ?? -1;
    merges.forEach(([a, b], rank) => {
      const idA = vocab.get(a);
      const idB = vocab.get(b);
      const merged = vocab.get(a + b);
      if (idA === undefined || idB === undefined || merged === undefined) {
        const missing = idA === undefined ? a : idB === undefined ? b : a + b;
        throw new FastTokenizerError(
          `${source}: merge ${rank} (${JSON.stringify(a)} ${JSON.stringify(b)}) needs ${JSON.stringify(missing)}, which is not in the vocabulary`,
        );
      }
      // A pair listed twice keeps its last rank, as when Rust collects its merge map.
      this.pairs.set(idA, idB, rank, merged);
    });
    const contents = addedTokens.map((t) => t.content).filter((c) => c.length > 0);
    // Longest first, so that the alternation matches the longest added token at a position.
    contents.sort((x, y) => y.length - x.length);
    this.addedPattern =
      contents.length > 0
        ? new RegExp(contents.map((c) => c.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|'), 'gu')
        : null;
  }

  /** Builds a tokenizer from a vocabulary (token → id) and merges in rank order. */
  static fromVocabAndMerges(
    vocab: ReadonlyMap<string, number> | Readonly<Record<string, number>>,
    merges: ReadonlyArray<readonly [string, string]>,
    addedTokens: readonly AddedToken[] = [],
  ): ByteLevelBpe {
    const map = vocab instanceof Map ? new Map(vocab) : new Map(Object.entries(vocab));
    return new ByteLevelBpe(map, merges, [...addedTokens], 'vocabulary');
  }

  /**
   * Reads a parsed Hugging Face `tokenizer.json`. Merges may be `"a b"` strings or `["a", "b"]` pairs.
   * `source` names the file in errors.
   */
  static fromTokenizerJson(json: unknown, source = 'tokenizer.json'): ByteLevelBpe {
    if (!isRecord(json)) throw new FastTokenizerError(`${source}: expected a JSON object`);
    const model = json.model;
    if (!isRecord(model)) throw new FastTokenizerError(`${source}: missing "model"`);
    if (model.type !== undefined && model.type !== 'BPE') {
      throw new FastTokenizerError(`${source}: model type is ${JSON.stringify(model.type)}, expected "BPE"`);
    }
    const pre = json.pre_tokenizer;
    if (!isRecord(pre) || pre.type !== 'ByteLevel') {
      throw new FastTokenizerError(
        `${source}: pre_tokenizer must be ByteLevel (a byte-level BPE), got ${JSON.stringify(isRecord(pre) ? pre.type : pre)}`,
      );
    }
    if (pre.add_prefix_space === true || pre.use_regex === false) {
      throw new FastTokenizerError(
        `${source}: only ByteLevel with add_prefix_space false and use_regex true is supported`,
      );
    }
    if (json.normalizer !== null && json.normalizer !== undefined) {
      throw new FastTokenizerError(`${source}: normalizers are not supported (FAST tokenizers have none)`);
    }
    if (!isRecord(model.vocab))
      throw new FastTokenizerError(`${source}: "model.vocab" must be an object of token → id`);
    const vocab = new Map<string, number>();
    for (const [token, id] of Object.entries(model.vocab)) {
      if (typeof id !== 'number')
        throw new FastTokenizerError(`${source}: vocab id of ${JSON.stringify(token)} is not a number`);
      vocab.set(token, id);
    }
    const rawMerges = model.merges ?? [];
    if (!Array.isArray(rawMerges)) throw new FastTokenizerError(`${source}: "model.merges" must be an array`);
    const merges = rawMerges.map((m, i): [string, string] => {
      if (typeof m === 'string') {
        const parts = m.split(' ');
        if (parts.length !== 2) {
          throw new FastTokenizerError(
            `${source}: merge ${i} ${JSON.stringify(m)} is not two tokens separated by one space`,
          );
        }
        return [parts[0], parts[1]];
      }
      if (Array.isArray(m) && m.length === 2 && typeof m[0] === 'string' && typeof m[1] === 'string')
        return [m[0], m[1]];
      throw new FastTokenizerError(
        `${source}: merge ${i} must be "a b" or ["a", "b"], got ${JSON.stringify(m)}`,
      );
    });
    const rawAdded = json.added_tokens ?? [];
    if (!Array.isArray(rawAdded)) throw new FastTokenizerError(`${source}: "added_tokens" must be an array`);
    const added = rawAdded.map((t, i): AddedToken => {
      if (!isRecord(t) || typeof t.id !== 'number' || typeof t.content !== 'string') {
        throw new FastTokenizerError(
          `${source}: added token ${i} needs a numeric "id" and a string "content"`,
        );
      }
      return { id: t.id, content: t.content, special: t.special === true };
    });
    return new ByteLevelBpe(vocab, merges, added, source);
  }

  /** Serializes to a Hugging Face `tokenizer.json` document that the Rust library loads. */
  toTokenizerJson(): TokenizerJson {
    const byteLevel = { add_prefix_space: false, trim_offsets: true, use_regex: true };
    const vocab: Record<string, number> = {};
    for (const [token, id] of [...this.vocab].sort((a, b) => a[1] - b[1])) vocab[token] = id;
    return {
      version: '1.0',
      truncation: null,
      padding: null,
      added_tokens: this.addedTokens.map((t) => ({
        id: t.id,
        content: t.content,
        single_word: false,
        lstrip: false,
        rstrip: false,
        normalized: false,
        special: t.special,
      })),
      normalizer: null,
      pre_tokenizer: { type: 'ByteLevel', ...byteLevel },
      post_processor: { type: 'ByteLevel', ...byteLevel, trim_offsets: false },
      decoder: { type: 'ByteLevel', ...byteLevel },
      model: {
        type: 'BPE',
        dropout: null,
        unk_token: null,
        continuing_subword_prefix: null,
        end_of_word_suffix: null,
        fuse_unk: false,
        byte_fallback: false,
        ignore_merges: false,
        vocab,
        merges: this.merges.map(([a, b]) => [a, b]),
      },
    };
  }

  /** Number of ids (one more than the largest id), counting added tokens. */
  get vocabSize(): number {
    return this.stride;
  }

  /** The token string of an id, or undefined. */
  idToToken(id: number): string | undefined {
    return this.addedById.get(id)?.content ?? this.idToTokenTable[id];
  }

  /** The id of a token string, or undefined. */
  tokenToId(token: string): number | undefined {
    return this.addedTokens.find((t) => t.content === token)?.id ?? this.vocab.get(token);
  }

  /** Encodes text: added tokens first, then the GPT-2 split, byte-level mapping and BPE merges. */
  encode(text: string): Int32Array {
    const out: number[] = [];
    if (this.addedPattern === null) {
      this.encodeSegment(text, out);
    } else {
      let last = 0;
      for (const m of text.matchAll(this.addedPattern)) {
        this.encodeSegment(text.slice(last, m.index), out);
        out.push(this.addedTokens.find((t) => t.content === m[0])!.id);
        last = m.index + m[0].length;
      }
      this.encodeSegment(text.slice(last), out);
    }
    return Int32Array.from(out);
  }

  /**
   * Encodes text given as code points (what the FAST encoder produces), skipping the string round trip.
   * Code points must be Unicode scalar values (no surrogates, at most U+10FFFF).
   */
  encodeCodePoints(codePoints: ArrayLike<number>): Int32Array {
    if (this.addedPattern !== null) {
      checkScalars(codePoints);
      return this.encode(String.fromCodePoint(...Array.from(codePoints)));
    }
    const out: number[] = [];
    this.encodePieces(checkScalars(codePoints), null, out);
    return Int32Array.from(out);
  }

  private encodeSegment(text: string, out: number[]): void {
    if (text.length === 0) return;
    const cps: number[] = [];
    for (let i = 0; i < text.length; i++) {
      const cp = text.codePointAt(i)!;
      if (cp > 0xffff) i++;
      else if (cp >= 0xd800 && cp <= 0xdfff) {
        throw new FastTokenizerError(
          `lone surrogate U+${cp.toString(16).toUpperCase()} at index ${i}: not valid Unicode text`,
        );
      }
      cps.push(cp);
    }
    this.encodePieces(cps, text.length === cps.length ? text : null, out);
  }

  /** Splits code points into pieces and appends their BPE ids; `text` (when all BMP) keys the cache cheaply. */
  private encodePieces(cps: ArrayLike<number>, text: string | null, out: number[]): void {
    let start = 0;
    for (const end of splitCodePoints(cps)) {
      let ids: Int32Array;
      if (end - start <= MAX_CACHED_PIECE) {
        const piece = text !== null ? text.slice(start, end) : pieceKey(cps, start, end);
        const cached = this.cache.get(piece);
        if (cached === undefined) {
          ids = this.bpe(cps, start, end);
          if (this.cache.size >= MAX_CACHE_ENTRIES) this.cache.clear();
          this.cache.set(piece, ids);
        } else ids = cached;
      } else {
        ids = this.bpe(cps, start, end);
      }
      for (let k = 0; k < ids.length; k++) out.push(ids[k]);
      start = end;
    }
  }

  /** BPE over the UTF-8 bytes of code points `[start, end)`: lowest rank first, leftmost on ties (Rust `Word::merge_all`). */
  private bpe(cps: ArrayLike<number>, start: number, end: number): Int32Array {
    // Symbols: ids of the byte characters (bytes whose character is not in the vocabulary are dropped).
    if (this.sym.length < 4 * (end - start)) this.sym = new Int32Array(8 * (end - start));
    const sym = this.sym;
    const byteIds = this.byteIds;
    let n = 0;
    const add = (byte: number) => {
      const id = byteIds[byte];
      if (id >= 0) sym[n++] = id;
    };
    for (let i = start; i < end; i++) {
      const cp = cps[i];
      if (cp < 0x80) add(cp);
      else if (cp < 0x800) {
        add(0xc0 | (cp >> 6));
        add(0x80 | (cp & 63));
      } else if (cp < 0x10000) {
        add(0xe0 | (cp >> 12));
        add(0x80 | ((cp >> 6) & 63));
        add(0x80 | (cp & 63));
      } else {
        add(0xf0 | (cp >> 18));
        add(0x80 | ((cp >> 12) & 63));
        add(0x80 | ((cp >> 6) & 63));
        add(0x80 | (cp & 63));
      }
    }
    if (n < 2) return sym.slice(0, n);
    const prev = new Int32Array(n);
    const next = new Int32Array(n);
    // Slot (in the pair table) of the pair starting at each position, -1 for none: a queued entry is
    // current exactly when its rank is still the rank of that pair (Rust re-looks the pair up instead).
    const pairSlot = new Int32Array(n);
    const { pairs, queue } = this;
    const { ranks, newIds } = pairs;
    for (let i = 0; i < n; i++) {
      prev[i] = i - 1;
      next[i] = i + 1;
      const slot = i + 1 < n ? pairs.find(sym[i], sym[i + 1]) : -1;
      pairSlot[i] = slot;
      if (slot >= 0) queue.push(ranks[slot], i);
    }
    while (queue.pop()) {
      const { pos, rank } = queue;
      const slot = pairSlot[pos];
      if (slot < 0 || ranks[slot] !== rank) continue;
      const right = next[pos];
      sym[pos] = newIds[slot];
      pairSlot[right] = -1; // the right symbol is gone
      const after = next[right];
      next[pos] = after;
      if (after < n) prev[after] = pos;
      const before = prev[pos];
      if (before >= 0) {
        const s = pairs.find(sym[before], sym[pos]);
        pairSlot[before] = s;
        if (s >= 0) queue.push(ranks[s], before);
      }
      const s = after < n ? pairs.find(sym[pos], sym[after]) : -1;
      pairSlot[pos] = s;
      if (s >= 0) queue.push(ranks[s], pos);
    }
    let count = 0;
    for (let i = 0; i < n; i = next[i]) count++;
    const result = new Int32Array(count);
    for (let i = 0, j = 0; i < n; i = next[i]) result[j++] = sym[i];
    return result;
  }

  /**
   * Decodes ids to text like the Rust ByteLevel decoder: unknown ids are dropped, each token's characters
   * map back to bytes (a token with a character outside the byte alphabet contributes its raw UTF-8),
   * and invalid UTF-8 becomes U+FFFD.
   */
  decode(ids: ArrayLike<number>): string {
    let total = 0;
    const parts: Uint8Array[] = [];
    for (let i = 0; i < ids.length; i++) {
      const bytes = this.tokenBytes(ids[i]);
      if (bytes === undefined) continue;
      parts.push(bytes);
      total += bytes.length;
    }
    const all = new Uint8Array(total);
    let offset = 0;
    for (const part of parts) {
      all.set(part, offset);
      offset += part.length;
    }
    return utf8Decoder.decode(all);
  }

  /** The bytes a token decodes to (cached), or undefined for an unknown id. */
  private tokenBytes(id: number): Uint8Array | undefined {
    const cached = this.bytesById[id];
    if (cached !== undefined) return cached;
    const token = this.idToToken(id);
    if (token === undefined) return undefined;
    const bytes: number[] = [];
    for (const ch of token) {
      const b = CHAR_TO_BYTE.get(ch.codePointAt(0)!);
      // A character outside the byte alphabet: Rust then takes the token's raw UTF-8.
      if (b === undefined) return this.cacheBytes(id, utf8Encoder.encode(token));
      bytes.push(b);
    }
    return this.cacheBytes(id, Uint8Array.from(bytes));
  }

  private cacheBytes(id: number, bytes: Uint8Array): Uint8Array {
    if (Number.isInteger(id) && id >= 0 && id < this.stride) this.bytesById[id] = bytes;
    return bytes;
  }
}

/** Checks that code points are Unicode scalar values; returns them. */
function checkScalars(codePoints: ArrayLike<number>): ArrayLike<number> {
  for (let i = 0; i < codePoints.length; i++) {
    const cp = codePoints[i];
    if (!Number.isInteger(cp) || cp < 0 || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) {
      throw new FastTokenizerError(`code point ${i} is ${cp}, not a Unicode scalar value`);
    }
  }
  return codePoints;
}

/** The string of code points `[start, end)`, used as the cache key of a short piece. */
function pieceKey(cps: ArrayLike<number>, start: number, end: number): string {
  let key = '';
  for (let i = start; i < end; i++) {
    const cp = cps[i];
    key += cp < 0x10000 ? String.fromCharCode(cp) : String.fromCodePoint(cp);
  }
  return key;
}

/**
 * The ByteLevel pre-tokenizer's split (`use_regex: true`): GPT-2's pattern
 * `'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+`
 * as the Oniguruma engine in Hugging Face `tokenizers` matches it, written as a scanner over code points.
 * Oniguruma's `\s` is Unicode White_Space (it includes U+0085 and excludes U+FEFF, unlike JS `\s`).
 */

const LETTER = 1;
const NUMBER = 2;
const SPACE = 3;
const OTHER = 4;

const isLetter = /\p{L}/u;
const isNumber = /\p{N}/u;
const isSpace = /\p{White_Space}/u;

function classifySlow(cp: number): number {
  const ch = String.fromCodePoint(cp);
  if (isLetter.test(ch)) return LETTER;
  if (isNumber.test(ch)) return NUMBER;
  if (isSpace.test(ch)) return SPACE;
  return OTHER;
}

let bmp: Uint8Array | null = null;
const astral = new Map<number, number>();

/** Character class of a code point: letter, number, white space or other (cached). */
function classify(cp: number): number {
  if (cp < 0x10000) {
    if (bmp === null) bmp = new Uint8Array(0x10000);
    let c = bmp[cp];
    if (c === 0) {
      c = classifySlow(cp);
      bmp[cp] = c;
    }
    return c;
  }
  let c = astral.get(cp);
  if (c === undefined) {
    c = classifySlow(cp);
    if (astral.size < 65536) astral.set(cp, c);
  }
  return c;
}

const APOSTROPHE = 0x27;

/** Length in code points of a contraction (`'s`, `'re`, …) starting at `i`, or 0. */
function contraction(cps: ArrayLike<number>, i: number, n: number): number {
  if (i + 1 >= n) return 0;
  const a = cps[i + 1];
  // s t m d
  if (a === 0x73 || a === 0x74 || a === 0x6d || a === 0x64) return 2;
  if (i + 2 >= n) return 0;
  const b = cps[i + 2];
  // re ve ll
  if ((a === 0x72 && b === 0x65) || (a === 0x76 && b === 0x65) || (a === 0x6c && b === 0x6c)) return 3;
  return 0;
}

/**
 * Splits code points into pre-tokenizer pieces. Returns the piece boundaries as code-point indices:
 * piece k spans `[ends[k - 1] ?? 0, ends[k])`.
 */
export function splitCodePoints(cps: ArrayLike<number>, n: number = cps.length): number[] {
  const ends: number[] = [];
  let i = 0;
  while (i < n) {
    const cp = cps[i];
    if (cp === APOSTROPHE) {
      const len = contraction(cps, i, n);
      if (len > 0) {
        i += len;
        ends.push(i);
        continue;
      }
    }
    let cls = classify(cp);
    let j = i;
    if (cp === 0x20 && i + 1 < n) {
      // ` ?X+`: a single ASCII space joins the run of letters, numbers or others after it.
      const next = classify(cps[i + 1]);
      if (next !== SPACE) {
        cls = next;
        j = i + 1;
      }
    }
    if (cls !== SPACE) {
      j++;
      while (j < n && classify(cps[j]) === cls) j++;
      ends.push(j);
      i = j;
      continue;
    }
    // White space: `\s+(?!\S)` takes the run but leaves its last character when a non-space follows;
    // a single space before a non-space falls through to `\s+`.
    j = i + 1;
    while (j < n && classify(cps[j]) === SPACE) j++;
    if (j < n && j - i > 1) j--;
    ends.push(j);
    i = j;
  }
  return ends;
}

/** The pre-tokenizer pieces of a string (before the byte-level mapping). */
export function preTokenize(text: string): string[] {
  const cps = Array.from(text, (c) => c.codePointAt(0)!);
  const pieces: string[] = [];
  let start = 0;
  for (const end of splitCodePoints(cps)) {
    pieces.push(String.fromCodePoint(...cps.slice(start, end)));
    start = end;
  }
  return pieces;
}
